from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "ybss.casework"
    label = "casework"
    verbose_name = _("Police work")

    def ready(self) -> None:
        from ybss.core import events

        from .services import compare_person

        events.subscribe(compare_person)
