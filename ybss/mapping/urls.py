"""The map pages, included by ``ybss/web/urls.py`` under ``map/`` (namespace ``web:mapping``).

Scoping: ``map_page`` is ``@scoped`` (its data comes through the scoped ``/api/map/`` operations);
``boundary_page`` is ``@not_scoped`` (geography, county admins only).
"""

from django.urls import path

from . import views

app_name = "mapping"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("boundaries/", views.boundary_page, name="boundaries"),
]
