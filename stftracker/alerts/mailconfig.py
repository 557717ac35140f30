"""Mail settings from one URL, ``EMAIL_URL``, read by the maintained ``dj-email-url`` package with
our meanings for the two things it leaves open (settings.py calls :func:`email_settings`):

* ``smtp://user:password@host:587?tls`` STARTTLS (``?tls`` alone is enough; ``?tls=1`` too), plain
  ``smtp://host:25`` none; ``smtps://user:password@host`` (port 465 unless given) implicit TLS, as
  RFC 8314 means it; ``submission://`` STARTTLS on 587; ``console://`` prints each message;
  ``?timeout=`` seconds. Names and passwords are percent-encoded in the URL.
* Unset: the console backend with ``DEBUG`` on; with it off (production) :class:`NotConfiguredBackend`,
  which refuses every message with a clear error, so that no alert is dropped unseen: the alerts
  task fails, says why, and sends them once ``EMAIL_URL`` is set. The site itself starts (it sends
  no mail of its own), and a worker says so as it starts.
"""
import urllib.parse
import warnings

import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

SCHEMES = ("smtp", "smtps", "submission", "submit", "console")
CONSOLE = "django.core.mail.backends.console.EmailBackend"
NOT_CONFIGURED = "stftracker.alerts.mailconfig.NotConfiguredBackend"
NOT_CONFIGURED_MESSAGE = (
    "EMAIL_URL is not set, so no mail can be sent (DEBUG is off). Set it to the SMTP server, e.g. "
    "smtp://user:password@smtp.example.nhs.uk:587?tls, or console:// to print mail to the log."
)
KEYS = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
        "EMAIL_USE_SSL", "EMAIL_TIMEOUT")
TRUE = {"", "1", "true", "yes", "on"}


def email_settings(url: str, *, debug: bool) -> dict:
    """The Django EMAIL_* settings of ``url`` (see the module's docstring); a URL of another scheme
    is refused with ImproperlyConfigured."""
    url = (url or "").strip()
    if not url:
        return {"EMAIL_BACKEND": CONSOLE if debug else NOT_CONFIGURED}
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start smtp://, smtps://, submission:// or console://, not {parts.scheme or 'nothing'}://."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dj-email-url warns that smtps:// may go; it is ours to mean
        conf = dj_email_url.parse(url)
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    flag = {name: name in query and query[name][0].lower() in TRUE for name in ("tls", "ssl")}
    if parts.scheme == "smtps":
        conf["EMAIL_USE_SSL"], conf["EMAIL_USE_TLS"] = not flag["tls"], flag["tls"]
        conf["EMAIL_PORT"] = conf["EMAIL_PORT"] or (587 if flag["tls"] else 465)
    elif flag["ssl"]:
        conf["EMAIL_USE_SSL"], conf["EMAIL_USE_TLS"] = True, False
    elif flag["tls"]:
        conf["EMAIL_USE_SSL"], conf["EMAIL_USE_TLS"] = False, True
    if parts.scheme == "smtp" and conf["EMAIL_USE_TLS"] and not parts.port:
        conf["EMAIL_PORT"] = 587
    if parts.scheme != "console" and not conf.get("EMAIL_HOST"):
        raise ImproperlyConfigured("EMAIL_URL names no host: smtp://user:password@host:587?tls")
    conf["EMAIL_HOST_USER"] = conf["EMAIL_HOST_USER"] or ""
    conf["EMAIL_HOST_PASSWORD"] = conf["EMAIL_HOST_PASSWORD"] or ""
    found = {key: conf[key] for key in KEYS if conf.get(key) is not None}
    if "DEFAULT_FROM_EMAIL" in conf:
        found["DEFAULT_FROM_EMAIL"] = conf["DEFAULT_FROM_EMAIL"]
    return found


class NotConfiguredBackend(BaseEmailBackend):
    """Production without EMAIL_URL: every message is refused with a clear error (nothing is dropped)."""

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        raise ImproperlyConfigured(NOT_CONFIGURED_MESSAGE)
