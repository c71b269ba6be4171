"""URLs of the collector's phone app (入户采集), included by ``ybss/web/urls.py`` at ``m/``
(namespace ``web:collect``). Each view declares its scoping (see ``views.collect``)."""

from django.urls import path

from .views import collect

app_name = "collect"

urlpatterns = [
    path("", collect.shell, name="shell"),
    path("sw.js", collect.service_worker, name="sw"),
    path("manifest.webmanifest", collect.manifest, name="manifest"),
]
