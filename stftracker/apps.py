from django.apps import AppConfig


class StftrackerConfig(AppConfig):
    name = "stftracker"
    verbose_name = "STF Tracker"

    def ready(self):
        # A new password revokes the user's API tokens.
        from stftracker.accounts import signals  # noqa: F401
