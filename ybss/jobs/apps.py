from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "ybss.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    # No ready(): it may not query the database. Jobs left running by a dead process are failed
    # lazily (``runner.ensure_swept``, on the first job or job page of a process, and by ``ybss serve``).
