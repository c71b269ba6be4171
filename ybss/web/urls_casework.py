"""Casework pages (issue 8) under /casework/ (namespace ``web:casework``): leads, watch lists,
cases, results. Every view is ``@scoped`` (``casework.selectors`` start from ``scope``)."""

from __future__ import annotations

from django.urls import path

from .views import casework

casework_patterns = [
    path("", casework.leads, name="leads"),
    path("leads/new/", casework.lead_new, name="lead_new"),
    path("leads/<int:pk>/", casework.lead_detail, name="lead"),
    path("lists/", casework.watchlists, name="lists"),
    path("lists/new/", casework.watchlist_new, name="list_new"),
    path("lists/<int:pk>/", casework.watchlist_detail, name="list"),
    path("lists/<int:pk>/approve/", casework.watchlist_approve, name="list_approve"),
    path("lists/<int:pk>/run/", casework.watchlist_run, name="list_run"),
    path("lists/<int:pk>/withdraw/", casework.watchlist_withdraw, name="list_withdraw"),
    path("cases/", casework.cases, name="cases"),
    path("cases/new/", casework.case_new, name="case_new"),
    path("cases/<int:pk>/", casework.case_detail, name="case"),
    path("results/", casework.results, name="results"),
    path("results/new/", casework.result_new, name="result_new"),
]

#: 发现线索 from a person's or a house's page (``?person=<pk>`` / ``?house=<pk>``), named
#: ``web:lead_report`` (outside the casework namespace, for the registry pages to link to).
lead_report_pattern = path("leads/report/", casework.lead_report, name="lead_report")
