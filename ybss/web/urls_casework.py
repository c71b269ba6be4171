"""Casework pages (issue 8) under /casework/ (namespace ``web:casework``): leads, watch lists,
results. Every view is ``@scoped`` (``casework.selectors`` start from ``scope``)."""

from __future__ import annotations

from django.urls import path

from .views import casework

casework_patterns = [
    path("", casework.leads, name="leads"),
    path("leads/<int:pk>/", casework.lead_detail, name="lead"),
    path("lists/", casework.watchlists, name="lists"),
    path("lists/new/", casework.watchlist_new, name="list_new"),
    path("lists/<int:pk>/", casework.watchlist_detail, name="list"),
    path("lists/<int:pk>/approve/", casework.watchlist_approve, name="list_approve"),
    path("lists/<int:pk>/run/", casework.watchlist_run, name="list_run"),
    path("lists/<int:pk>/withdraw/", casework.watchlist_withdraw, name="list_withdraw"),
    path("results/", casework.results, name="results"),
    path("results/new/", casework.result_new, name="result_new"),
]
