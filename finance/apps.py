from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "STF schemes and finance"

    def ready(self):
        from common.history import connect_baselines
        # Every change to an input of the figures marks them for recompute (see the module).
        from finance import dependencies  # noqa: F401

        # Schemes loaded by a data migration, and rows written in bulk, get a first version to compare edits with.
        connect_baselines(self, "Scheme", "Allocation")
