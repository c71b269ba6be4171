from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "ybss.quality"
    label = "quality"
    verbose_name = _("Quality")

    def ready(self) -> None:
        from ybss.core import events

        from .scan import recheck_record

        events.subscribe(recheck_record)
