from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "STF schemes and finance"

    def ready(self):
        # Every change to an input of the figures marks them for recompute (see the module).
        from finance import dependencies  # noqa: F401
