from django.apps import AppConfig


class LearnConfig(AppConfig):
    name = "learn"
    verbose_name = "Articles"

    def ready(self):
        from learn import search, signals
        from learn.core import checks  # noqa: F401  (registers the deploy checks)

        signals.connect()
        search.register()
