"""Settings for bench/api.py: the real settings, with the URL conf of bench/_api_ceiling_urls.py
(the real site plus /bench/ceiling/). Selected with ``DJANGO_SETTINGS_MODULE=bench._api_ceiling``;
never used by the site itself."""
from stftracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench._api_ceiling_urls"
