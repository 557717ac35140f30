from django.apps import AppConfig


class StftrackerConfig(AppConfig):
    name = "stftracker"
    verbose_name = "STF Tracker"
