"""Supervision pages: dashboards, targets and ranking, spot checks, bulletins (included by
ybss/web/urls.py under /supervision/)."""

from __future__ import annotations

from django.urls import path

from .views import bulletins, dashboard, spotchecks, targets

target_patterns = [
    path("", targets.scoreboard, name="targets"),
    path("new/", targets.target_new, name="target_new"),
    path("<int:pk>/withdraw/", targets.target_withdraw, name="target_withdraw"),
    path("ranking/", targets.ranking_view, name="ranking"),
]

#: 督查看板: the user's own node, and any node of either tree in scope (404 outside). Included last
#: under "supervision/" (namespace ``web:supervision``) so the sub-paths above are matched first.
dashboard_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("node/<str:tree>/<str:code>/", dashboard.node_dashboard, name="node"),
    path("recount/", dashboard.recount, name="recount"),
]

#: 通报: the list, a new draft, one bulletin with its versions, its wording, issue and revise, the
#: draft's PDF preview and the issued files. Namespace ``web:bulletins``.
bulletin_patterns = [
    path("", bulletins.bulletin_list, name="list"),
    path("new/", bulletins.bulletin_new, name="new"),
    path("<int:pk>/", bulletins.bulletin_detail, name="detail"),
    path("<int:pk>/edit/", bulletins.bulletin_edit, name="edit"),
    path("<int:pk>/issue/", bulletins.bulletin_issue, name="issue"),
    path("<int:pk>/revise/", bulletins.bulletin_revise, name="revise"),
    path("<int:pk>/preview.pdf", bulletins.bulletin_preview, name="preview"),
    path("<int:pk>/files/<slug:kind>/", bulletins.bulletin_file, name="file"),
]

#: 抽查: the rounds, drawing one, one round with its items, closing it, the checker's own list,
#: the check form of one item and giving it to another checker. Namespace ``web:spotchecks``.
spotcheck_patterns = [
    path("", spotchecks.rounds, name="rounds"),
    path("new/", spotchecks.round_new, name="round_new"),
    path("mine/", spotchecks.my_checks, name="mine"),
    path("<int:pk>/", spotchecks.round_detail, name="round"),
    path("<int:pk>/close/", spotchecks.round_close, name="round_close"),
    path("items/<int:pk>/", spotchecks.item_check, name="item"),
    path("items/<int:pk>/assign/", spotchecks.item_assign, name="item_assign"),
]
