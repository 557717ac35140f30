"""Settings that fail closed: DEBUG off unless asked for, no shared state without a shared cache,
the proxy header trusted only behind a proxy, and no password of a URL in an error report."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"SECRET_KEY": "z" * 20 + "-a-long-random-production-secret-Wm4", "ALLOWED_HOSTS": "stf.example.nhs.uk"}
# Variables the suite's own process may carry that would change what these start-ups see.
CLEARED = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "DATABASE_CACHE", "TRUSTED_PROXY_COUNT",
           "SECURE_PROXY_SSL_HEADER", "DJANGO_ALLOW_ASYNC_UNSAFE")


def start(code="", **variables):
    """``manage.py shell -c code`` (``manage.py check`` without code) under the shipped settings
    with only ``variables`` of ours set."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(DJANGO_SETTINGS_MODULE="stftracker.settings", **{k: str(v) for k, v in variables.items()})
    command = ["shell", "-c", code] if code else ["check"]
    return subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def settings_of(names, **variables):
    code = ("import json; from django.conf import settings as s; "
            f"print(json.dumps({{k: getattr(s, k) for k in {list(names)!r}}}, default=str))")
    result = start(code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off_unless_it_is_asked_for():
    # Nothing set: production rules, so the start-up stops for want of a secret key.
    result = start()
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    values = settings_of(["DEBUG", "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT"], REDIS_URL="redis://127.0.0.1:6379/0",
                         **PRODUCTION)
    assert values == {"DEBUG": False, "SESSION_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True}
    assert settings_of(["DEBUG"], DEBUG=1)["DEBUG"] is True


def test_production_refuses_to_start_without_a_shared_cache():
    result = start(**PRODUCTION)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr and "DATABASE_CACHE" in result.stderr
    with_table = settings_of(["CACHES", "CELERY_TASK_ALWAYS_EAGER"], DATABASE_CACHE=1, **PRODUCTION)
    assert with_table["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert with_table["CACHES"]["default"]["LOCATION"] == "stftracker_cache"
    assert with_table["CELERY_TASK_ALWAYS_EAGER"] is True
    with_redis = settings_of(["CACHES"], REDIS_URL="redis://127.0.0.1:6379/0", **PRODUCTION)
    assert with_redis["CACHES"]["default"]["BACKEND"] == "stftracker.cache.FailSafeRedisCache"


def test_development_without_redis_keeps_a_local_cache():
    values = settings_of(["CACHES"], DEBUG=1)
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_forwarded_proto_header_is_trusted_only_behind_a_proxy():
    base = dict(REDIS_URL="redis://127.0.0.1:6379/0", **PRODUCTION)
    assert settings_of(["SECURE_PROXY_SSL_HEADER"], **base)["SECURE_PROXY_SSL_HEADER"] is None
    behind = settings_of(["SECURE_PROXY_SSL_HEADER"], TRUSTED_PROXY_COUNT=1, **base)
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    told = settings_of(["SECURE_PROXY_SSL_HEADER"], SECURE_PROXY_SSL_HEADER=1, **base)
    assert told["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_a_forged_forwarded_proto_does_not_make_a_plain_request_secure(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None  # the production default with no proxy in front
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


# --- Error reports ----------------------------------------------------------------------------

# Joined here so that the report's source excerpts of this file do not hold them whole.
DATABASE_PASSWORD, REDIS_PASSWORD, EMAIL_PASSWORD, OTHER_PASSWORD = (
    "-".join((service, "Secret", number)) for service, number in
    (("pg", "7731"), ("redis", "4410"), ("mail", "9902"), ("other", "5528")))


def _technical_500(request):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


@override_settings(
    REDIS_URL=f"redis://:{REDIS_PASSWORD}@redis:6379/0",
    CELERY_BROKER_URL=f"redis://:{REDIS_PASSWORD}@redis:6379/0",
    EMAIL_URL=f"smtp://mailer:{EMAIL_PASSWORD}@smtp.example.nhs.uk:587",
    SOME_SERVICE=f"https://reader:{OTHER_PASSWORD}@feeds.example.nhs.uk/rtt",
)
def test_error_reports_mask_every_password_in_a_url():
    # runserver puts the process environment in each request's META, where the debug page shows it.
    request = RequestFactory().get("/regions/x/", DATABASE_URL=f"postgres://stf:{DATABASE_PASSWORD}@postgres/stf")
    html = _technical_500(request)
    assert "RuntimeError" in html  # the report itself was rendered
    for secret in (DATABASE_PASSWORD, REDIS_PASSWORD, EMAIL_PASSWORD, OTHER_PASSWORD):
        assert secret not in html, secret
    # A URL of another name keeps what helps (who and where), not its password.
    assert "https://reader:********************@feeds.example.nhs.uk/rtt" in html
