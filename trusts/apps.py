from django.apps import AppConfig


class TrustsConfig(AppConfig):
    name = "trusts"
    verbose_name = "Trusts and organisations"

    def ready(self):
        from common.history import connect_baselines

        # Trusts written in bulk without history get a first version to compare edits with.
        connect_baselines(self, "Trust")
