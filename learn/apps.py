from django.apps import AppConfig


class LearnConfig(AppConfig):
    name = "learn"
    verbose_name = "Articles"

    def ready(self):
        from learn import search, signals

        signals.connect()
        search.register()
