"""python manage.py recompute [--year 2016-17]: recompute entitlements and report what was done.

Through Celery when a worker is configured (REDIS_URL set, tasks not eager): the command queues
the run, waits for the worker to finish it and reports it. In-process otherwise.
"""
import time

from django.core.management.base import BaseCommand, CommandError

from finance import dispatch, services
from finance.models import RunState, Scheme


class Command(BaseCommand):
    help = "Recompute STF entitlements for one scheme (--year) or every scheme."

    def add_arguments(self, parser):
        parser.add_argument("--year", help="Scheme code, e.g. 2016-17 (default: every scheme)")
        parser.add_argument("--timeout", type=int, default=900, help="Seconds to wait for a worker (default 900)")

    def handle(self, *args, year=None, timeout=900, **options):
        scheme = None
        if year:
            scheme = Scheme.objects.filter(code=year).first()
            if scheme is None:
                known = ", ".join(Scheme.objects.values_list("code", flat=True))
                raise CommandError(f"No scheme {year!r}. Known schemes: {known}.")
        scope = f"scheme {scheme.code}" if scheme else "every scheme"
        started = time.perf_counter()
        if dispatch.runs_in_process():
            self.stdout.write(f"Recomputing {scope} in-process...")
            run = services.create_run(scheme=scheme, trigger="command")
            try:
                run = services.recompute(scheme=scheme, run=run)
            except Exception as exc:
                raise CommandError(f"Recompute {run.pk} failed: {exc}") from exc
        else:
            run = dispatch.queue_recompute(scheme=scheme, trigger="command")
            self.stdout.write(f"Queued recompute {run.pk} of {scope} on the Celery worker; waiting...")
            run = self._wait(run, timeout)
        seconds = time.perf_counter() - started
        if run.state != RunState.DONE:
            raise CommandError(f"Recompute {run.pk} {run.state}: {run.message or 'no message'}")
        self.stdout.write(run.message)
        self.stdout.write(self.style.SUCCESS(
            f"Recompute {run.pk} done: {run.progress_done} trust-quarters computed, {run.rows_written} rows "
            f"written in {run.duration_ms} ms (wall {seconds:.2f} s)."
        ))

    def _wait(self, run, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.state in (RunState.DONE, RunState.FAILED):
                return run
            time.sleep(0.2)
        raise CommandError(
            f"Recompute {run.pk} is still {run.state} after {timeout} s: is a Celery worker running?"
        )
