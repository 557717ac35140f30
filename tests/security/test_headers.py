"""Security headers, the Content-Security-Policy, cookies and production settings."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def _policy(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _assert_strict_policy(response):
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no third-party script
    assert set(policy["style-src"]) == {"'self'", "'unsafe-inline'"}  # Plotly's inline style attributes
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "blob:" in policy["img-src"] and "data:" in policy["img-src"]  # Plotly's "download as PNG"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_login_page_has_the_policy_and_headers(client):
    _assert_strict_policy(client.get("/accounts/login/"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/", "/audit/", "/no-such-page/"])
def test_pages_have_the_policy_and_headers(client, analyst, path):
    client.force_login(analyst)
    response = client.get(path)
    assert response.status_code in (200, 404)
    _assert_strict_policy(response)


@pytest.mark.django_db
def test_not_found_page_is_in_the_site_style(client, analyst):
    client.force_login(analyst)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'class="site-header"' in html  # extends base.html


@pytest.mark.django_db
def test_forbidden_page_is_in_the_site_style(client, director):
    client.force_login(director)
    response = client.get("/audit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>You do not have access to this page</h1>" in html
    assert "logged in as fd_home" in html
    assert 'class="site-header"' in html


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def test_no_template_needs_inline_script():
    """script-src 'self' blocks inline scripts, event-handler attributes and javascript: links."""
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            for match in pattern.finditer(text):
                offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)[:80]}")
    assert offenders == []


def test_the_check_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/charts.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="figure" type="application/json">{}</script>')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')


@pytest.mark.django_db
def test_production_cookies_are_secure_and_http_only(director, password):
    with override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True):
        client = Client()
        page = client.get("/accounts/login/", secure=True)
        csrf = page.cookies["csrftoken"]
        assert csrf["secure"] is True
        assert csrf["samesite"] == "Lax"
        response = client.post("/accounts/login/", {"username": "fd_home", "password": password}, secure=True)
        assert response.status_code == 302
        session = response.cookies["sessionid"]
        assert session["secure"] is True
        assert session["httponly"] is True
        assert session["samesite"] == "Lax"
        assert session["max-age"] == 12 * 60 * 60


@pytest.mark.django_db
def test_production_redirects_to_https_and_sends_hsts():
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
    ):
        client = Client()
        plain = client.get("/accounts/login/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/accounts/login/"
        secure = client.get("/accounts/login/", secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_settings_turn_every_protection_on():
    env = dict(
        os.environ, DEBUG="0", SECRET_KEY="y" * 20 + "-a-long-random-production-secret-Kq7",
        ALLOWED_HOSTS="stf.example.nhs.uk", DJANGO_SETTINGS_MODULE="stftracker.settings",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    env.pop("SECURE_SSL_REDIRECT", None)
    env.pop("SECURE_HSTS_SECONDS", None)
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SECURE_SSL_REDIRECT',"
        "'SECURE_HSTS_SECONDS','SECURE_HSTS_INCLUDE_SUBDOMAINS','SECURE_CONTENT_TYPE_NOSNIFF','X_FRAME_OPTIONS',"
        "'AXES_FAILURE_LIMIT','AXES_COOLOFF_TIME','AXES_LOCKOUT_PARAMETERS','AXES_LOCKOUT_TEMPLATE']}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True, "X_FRAME_OPTIONS": "DENY",
        "AXES_FAILURE_LIMIT": 5, "AXES_COOLOFF_TIME": "0:15:00", "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        "AXES_LOCKOUT_TEMPLATE": "registration/locked_out.html",
    }
