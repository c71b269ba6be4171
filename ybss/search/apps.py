from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "ybss.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from ybss.core import events

        from .services import on_record_changed

        events.subscribe(on_record_changed)
