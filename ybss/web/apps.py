from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ybss.web"
    label = "web"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the audit receivers)
