from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ybss.api"
    label = "api"
