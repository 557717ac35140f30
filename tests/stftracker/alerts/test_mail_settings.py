"""EMAIL_URL as the settings read it (stftracker.alerts.mailconfig), and production without it:
mail refused with a clear error rather than dropped, while the site and its deploy check start."""
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

from stftracker.alerts.mailconfig import CONSOLE, NOT_CONFIGURED, NotConfiguredBackend, email_settings
from tests.security.test_settings import PRODUCTION, settings_of, start

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_smtp_with_starttls_on_the_submission_port():
    assert email_settings("smtp://alerts%40nhs.example:p%40ss%3Aword@smtp.example.nhs.uk:587?tls", debug=False) == {
        "EMAIL_BACKEND": SMTP, "EMAIL_HOST": "smtp.example.nhs.uk", "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "alerts@nhs.example", "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False,
    }


def test_tls_without_a_port_is_587_and_plain_smtp_is_25():
    assert email_settings("smtp://relay.example?tls=true", debug=False)["EMAIL_PORT"] == 587
    plain = email_settings("smtp://relay.example", debug=False)
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"], plain["EMAIL_USE_SSL"]) == (25, False, False)
    assert (plain["EMAIL_HOST_USER"], plain["EMAIL_HOST_PASSWORD"]) == ("", "")


def test_smtps_is_implicit_tls_on_465():
    conf = email_settings("smtps://user:secret@mail.example", debug=False)
    assert (conf["EMAIL_PORT"], conf["EMAIL_USE_SSL"], conf["EMAIL_USE_TLS"]) == (465, True, False)
    assert email_settings("smtps://user:secret@mail.example:2465", debug=False)["EMAIL_PORT"] == 2465


def test_a_timeout_and_the_console():
    assert email_settings("smtp://relay.example?timeout=10", debug=False)["EMAIL_TIMEOUT"] == 10
    assert email_settings("console://", debug=False) == {
        "EMAIL_BACKEND": CONSOLE, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False,
    }


def test_unset_is_the_console_with_debug_and_refused_mail_without():
    assert email_settings("", debug=True) == {"EMAIL_BACKEND": CONSOLE}
    assert email_settings("", debug=False) == {"EMAIL_BACKEND": NOT_CONFIGURED}


@pytest.mark.parametrize("url", ["http://mail.example", "smtp.example.nhs.uk:587", "submission://"])
def test_a_url_that_names_no_mail_server_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url, debug=False)


def test_the_unconfigured_backend_refuses_mail_with_the_reason():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL is not set, so no mail can be sent"):
        NotConfiguredBackend().send_messages([EmailMessage("s", "b", "a@example", ["b@example"])])
    assert NotConfiguredBackend().send_messages([]) == 0


def test_production_settings_read_email_url_and_site_url():
    names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "SITE_URL", "DEFAULT_FROM_EMAIL"]
    values = settings_of(names, DATABASE_CACHE="1", **PRODUCTION,
                         EMAIL_URL="smtp://u:p@smtp.example.nhs.uk:587?tls",
                         DEFAULT_FROM_EMAIL="STF Tracker <stf@example.nhs.uk>")
    assert values == {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "smtp.example.nhs.uk", "EMAIL_PORT": 587,
                      "EMAIL_USE_TLS": True, "SITE_URL": "https://stf.example.nhs.uk",
                      "DEFAULT_FROM_EMAIL": "STF Tracker <stf@example.nhs.uk>"}


def test_production_without_email_url_starts_but_refuses_mail():
    values = settings_of(["EMAIL_BACKEND"], DATABASE_CACHE="1", **PRODUCTION)
    assert values == {"EMAIL_BACKEND": NOT_CONFIGURED}
    code = ("from django.core.mail import send_mail\n"
            "try:\n    send_mail('s', 'b', None, ['fd@example.nhs.uk'])\n"
            "except Exception as exc:\n    print('REFUSED', exc)\n")
    result = start(code, DATABASE_CACHE="1", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "REFUSED EMAIL_URL is not set, so no mail can be sent" in result.stdout
