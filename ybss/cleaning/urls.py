"""The cleaning pages, included by ``ybss/web/urls.py`` under ``cleaning/`` (namespace
``web:cleaning``). Every view is ``@scoped`` (see ``views``)."""

from django.urls import path

from . import views

app_name = "cleaning"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/accept/", views.item_accept, name="item_accept"),
    path("items/<int:pk>/create/", views.item_create, name="item_create"),
    path("items/<int:pk>/reject/", views.item_reject, name="item_reject"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("addresses/<int:pk>/merge/", views.merge, name="merge"),
    path("addresses/<int:pk>/not-duplicate/", views.not_duplicate, name="not_duplicate"),
]
