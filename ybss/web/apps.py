from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ybss.web"
    label = "web"
