from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StftrackerConfig(AppConfig):
    name = "stftracker"
    verbose_name = "STF Tracker"
    default = True

    def ready(self):
        # A new password revokes the user's API tokens; a log-in is timed for the session's age.
        from stftracker.accounts import sessions, signals  # noqa: F401


class StfAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose site needs the second factor (``INSTALLED_APPS`` names this)."""

    default = False
    default_site = "stftracker.accounts.admin_site.SecondFactorAdminSite"
