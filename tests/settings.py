"""Settings for the test suite: the settings the product ships, and what only tests need.

pytest.ini selects this module. Processes that the tests start as the product itself (a Celery
worker, gunicorn, ``manage.py`` on production variables) run ``stftracker.settings`` instead.
"""
import os
import tempfile
from pathlib import Path

from stftracker.settings import *  # noqa: F403
from stftracker.settings import DATABASES, env

# Fast password hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in-process, even with REDIS_URL set, and as with `make run` their errors are not
# raised to the caller (the run records them); the worker tests start a real Celery worker on
# Redis instead.
CELERY_TASK_ALWAYS_EAGER = True

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
