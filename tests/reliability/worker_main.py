"""Start a Celery worker of the project, optionally with a fault injected for the tests.

``STF_FAULT_SLOW_WRITE=<seconds>``: after the recompute writes a scheme's entitlements, and
before its transaction commits, append the scheme code to ``STF_FAULT_MARKER`` and sleep, so
that a test can kill the worker with the transaction open.

    python -m tests.reliability.worker_main worker --loglevel=INFO ...
"""
import os
import sys
import time


def _slow_writes(seconds, marker):
    from finance import services

    write = services.write_entitlements

    def slow_write_entitlements(*, scheme, **kwargs):
        written = write(scheme=scheme, **kwargs)
        with open(marker, "a") as handle:
            handle.write(f"{os.getpid()} {scheme.code} {written}\n")
        time.sleep(seconds)
        return written

    services.write_entitlements = slow_write_entitlements


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stftracker.settings")
    import django

    django.setup()
    slow = os.environ.get("STF_FAULT_SLOW_WRITE")
    if slow:
        _slow_writes(float(slow), os.environ["STF_FAULT_MARKER"])
    from stftracker.celery import app

    app.worker_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
