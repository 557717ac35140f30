from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "stftracker.alerts"
    label = "alerts"
    verbose_name = "Alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # After a recompute that wrote figures, the alerts go out; a worker without mail set says so.
        from .dispatch import connect

        connect()
