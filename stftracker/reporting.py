"""What an error report (the technical 500 page, a mailed 500) may show of settings and requests.

Django's filter hides values whose names say API, KEY, SECRET, PASS, TOKEN...; this one also hides
the settings and environment variables that are connection URLs (``DATABASE_URL``, ``REDIS_URL``,
``EMAIL_URL``, Celery's broker and results, a cache's ``LOCATION``), and masks the password of any
other URL of the form ``scheme://user:password@host`` wherever it appears.
"""
import re

from django.utils.regex_helper import _lazy_re_compile
from django.views.debug import SafeExceptionReporterFilter

URL_WITH_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(?P<password>[^@/?#\s]+)(?=@)", re.I)


class CredentialsFilter(SafeExceptionReporterFilter):
    hidden_settings = _lazy_re_compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE"
        "|DATABASE_URL|REDIS_URL|EMAIL_URL|CACHE_URL|BROKER_URL|RESULT_BACKEND|LOCATION",
        flags=re.I,
    )

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if type(cleansed) is str:  # not a lazy object posing as one
            return URL_WITH_PASSWORD.sub(lambda match: match["head"] + self.cleansed_substitute, cleansed)
        return cleansed
