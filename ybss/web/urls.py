"""URLs of the server-rendered UI.

Scoping: every view is marked ``@scoped`` (reads business data only through the jurisdiction-scoped
selectors) or ``@not_scoped(reason)`` (see ``views.common``); tests/web/test_urls.py checks that
each pattern here carries the mark. ``i18n/`` is Django's ``set_language`` (stores a language
choice, reads no data).
"""

from django.urls import include, path

from . import urls_appointments, urls_casework, urls_standing, urls_supervision
from .views import (
    addresses,
    audit,
    auth,
    cleaning,
    collection,
    home,
    houses,
    jobs,
    mapping,
    persons,
    quality,
    review,
    search,
    status,
    units,
)

app_name = "web"

#: 标注: the map (``@scoped``: its data comes through the scoped ``/api/map/``) and the county
#: admin's boundaries (``@not_scoped``: geography). Namespace ``web:mapping``.
mapping_patterns = [
    path("", mapping.map_page, name="map"),
    path("boundaries/", mapping.boundary_page, name="boundaries"),
]

#: 清理: the queue, one item and its decisions, duplicates, merge. Namespace ``web:cleaning``.
cleaning_patterns = [
    path("", cleaning.queue, name="queue"),
    path("items/<int:pk>/", cleaning.item, name="item"),
    path("items/<int:pk>/accept/", cleaning.item_accept, name="item_accept"),
    path("items/<int:pk>/create/", cleaning.item_create, name="item_create"),
    path("items/<int:pk>/reject/", cleaning.item_reject, name="item_reject"),
    path("duplicates/", cleaning.duplicates, name="duplicates"),
    path("duplicates/check/", cleaning.duplicates_check, name="duplicates_check"),
    path("addresses/<int:pk>/merge/", cleaning.merge, name="merge"),
    path("addresses/<int:pk>/not-duplicate/", cleaning.not_duplicate, name="not_duplicate"),
]

#: 审核 / 验收: collectors' submissions side by side with the registry. Namespace ``web:review``.
review_patterns = [
    path("", review.queue, name="queue"),
    path("<int:pk>/", review.detail, name="detail"),
    path("<int:pk>/decide/", review.decide, name="decide"),
    path("acceptance/", review.acceptance, name="acceptance"),
    path("photos/<int:pk>/", review.photo, name="photo"),
]

#: 采集任务: tasks, households and progress. Namespace ``web:collection``.
collection_patterns = [
    path("", collection.tasks, name="tasks"),
    path("new/", collection.task_new, name="task_new"),
    path("<int:pk>/", collection.task, name="task"),
    path("<int:pk>/close/", collection.task_close, name="task_close"),
]

#: 问题台账: the quality ledger, rules and risk. Namespace ``web:quality``.
quality_patterns = [
    path("", quality.ledger, name="ledger"),
    path("<int:pk>/", quality.problem, name="problem"),
    path("export/", quality.export, name="export"),
    path("scan/", quality.scan, name="scan"),
    path("rules/", quality.rules, name="rules"),
    path("risk/", quality.risk, name="risk"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("addresses/", addresses.address_list_view, name="addresses"),
    path("addresses/export/", addresses.address_export, name="addresses_export"),
    path("addresses/new/", addresses.door_plate_create_view, name="address_new"),
    path("addresses/<int:pk>/", addresses.address_detail, name="address_detail"),
    path("addresses/<int:pk>/edit/", addresses.address_edit_view, name="address_edit"),
    path("addresses/<int:pk>/status/", status.address_status, name="address_status"),
    path("addresses/<int:pk>/mark/", addresses.address_mark_view, name="address_mark"),
    path("addresses/<int:pk>/rooms/generate/", addresses.building_generate_view, name="building_generate"),
    path("addresses/<int:pk>/rooms/new/", addresses.room_create_view, name="room_new"),
    path("addresses/<int:address_pk>/houses/new/", houses.house_create_view, name="house_new"),
    path("addresses/<int:address_pk>/units/new/", units.unit_create_view, name="unit_new"),
    path("houses/", houses.house_list_view, name="houses"),
    path("houses/export/", houses.house_export, name="houses_export"),
    path("houses/<int:pk>/", houses.house_detail, name="house_detail"),
    path("houses/<int:pk>/edit/", houses.house_edit_view, name="house_edit"),
    path("houses/<int:pk>/status/", status.house_status, name="house_status"),
    path("houses/<int:pk>/verify/", houses.house_verify_view, name="house_verify"),
    path("houses/<int:house_pk>/residents/new/", persons.person_register_view, name="person_new"),
    path("persons/", persons.person_list_view, name="persons"),
    path("persons/export/", persons.person_export, name="persons_export"),
    path("persons/<int:pk>/", persons.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", persons.person_edit_view, name="person_edit"),
    path("persons/<int:pk>/status/", status.person_status, name="person_status"),
    path(
        "persons/<int:pk>/residences/<int:residence_pk>/end/",
        persons.residence_end_view,
        name="residence_end",
    ),
    path("units/", units.unit_list_view, name="units"),
    path("units/export/", units.unit_export, name="units_export"),
    path("units/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", units.unit_edit_view, name="unit_edit"),
    path("units/<int:pk>/status/", status.unit_status, name="unit_status"),
    path("units/<int:pk>/verify/", units.unit_verify_view, name="unit_verify"),
    path("units/<int:pk>/employees/new/", units.employment_create_view, name="employment_new"),
    path("search/", search.search_view, name="search"),
    path("import/", jobs.import_view, name="import"),
    path("import/templates/<slug:kind>.xlsx", jobs.import_template, name="import_template"),
    path("jobs/", jobs.jobs_view, name="jobs"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status", jobs.job_status, name="job_status"),
    path("jobs/<int:pk>/files/<slug:name>", jobs.job_file_view, name="job_file"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/verify/", audit.audit_verify, name="audit_verify"),
    path("map/", include((mapping_patterns, "mapping"))),
    path("cleaning/", include((cleaning_patterns, "cleaning"))),
    path("review/", include((review_patterns, "review"))),
    path("tasks/", include((collection_patterns, "collection"))),
    path("quality/", include((quality_patterns, "quality"))),
    path("supervision/targets/", include((urls_supervision.target_patterns, "targets"))),
    path("supervision/bulletins/", include((urls_supervision.bulletin_patterns, "bulletins"))),
    path("supervision/spot-checks/", include((urls_supervision.spotcheck_patterns, "spotchecks"))),
    # After every "supervision/<sub-path>/" include: the dashboard's own patterns are "" and "node/…".
    path("supervision/", include((urls_supervision.dashboard_patterns, "supervision"))),
    path("m/", include("ybss.web.urls_collect")),
    path("casework/", include((urls_casework.casework_patterns, "casework"))),
    urls_casework.lead_report_pattern,  # web:lead_report, 发现线索 (?person=<pk> / ?house=<pk>)
    path("lists/", include((urls_standing.standing_patterns, "standing"))),
    *urls_standing.card_patterns,
    *urls_appointments.urlpatterns,
]
