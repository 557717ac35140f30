"""Settings for the test suite: the settings the product ships, and what only tests need.

pytest.ini selects this module. Processes that the tests start as the product itself (a Celery
worker, gunicorn, ``manage.py`` on production variables) run ``stftracker.settings`` instead.
"""
import os
import tempfile
from pathlib import Path

# The suite runs the development set-up (DEBUG on: no secret key, hosts or shared cache needed)
# unless told otherwise; the processes it starts inherit the variable. Tests of the production
# settings set DEBUG=0 (or leave it out) for the processes they start.
os.environ.setdefault("DEBUG", "1")

from stftracker.settings import *  # noqa: E402,F403
from stftracker.settings import DATABASES, env  # noqa: E402

# Fast password hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in-process, even with REDIS_URL set, and as with `make run` their errors are not
# raised to the caller (the run records them); the worker tests start a real Celery worker on
# Redis instead.
CELERY_TASK_ALWAYS_EAGER = True
# Runs left queued are sent again when a test says so, not after whichever request comes next.
RECOMPUTE_REQUEUE_ON_REQUEST = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The test database is a file (one per test run) so that a Celery worker started by a test
    # can see it.
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "TEST": {
                "NAME": env.str(
                    "SQLITE_TEST_NAME",
                    default=str(Path(tempfile.gettempdir()) / f"stftracker-test-{os.getpid()}.sqlite3"),
                )
            },
        }
    }

# The suite's users send far more files than anyone would; the throttle's own tests set its rate.
UPLOAD_THROTTLE_RATE = "100000/minute"
