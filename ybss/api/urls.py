"""Included by ``ybss/urls.py`` at ``api/`` (the API's own namespace is ``api``)."""

from django.urls import path

from .main import api

urlpatterns = [path("", api.urls)]
