"""The database itself refuses to change or delete an issued bulletin (migration supervision.0002)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tests.supervision.test_bulletin_services import _draft, _issued
from ybss.supervision import bulletins
from ybss.supervision.models import Bulletin, BulletinState
from ybss.supervision.triggers import install


@pytest.fixture
def frozen(county):
    with connection.cursor() as cur:
        install(cur, connection.vendor)  # what the migration installs; rolled back after the test
    return _issued(county)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE supervision_bulletin SET title = 'x' WHERE id = %s",
        "UPDATE supervision_bulletin SET digest = 'x' WHERE id = %s",
        "UPDATE supervision_bulletin SET pdf = NULL WHERE id = %s",
        "UPDATE supervision_bulletin SET state = 'draft' WHERE id = %s",
        "DELETE FROM supervision_bulletin WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_an_issued_bulletin(frozen, sql):
    before = Bulletin.objects.get(pk=frozen.pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [frozen.pk])
    after = Bulletin.objects.get(pk=frozen.pk)
    assert (after.title, after.digest, bytes(after.pdf), after.state) == (
        before.title,
        before.digest,
        bytes(before.pdf),
        BulletinState.ISSUED,
    )


def test_a_draft_may_change_and_an_issued_one_may_only_be_superseded(county, frozen):
    draft = _draft(county)
    Bulletin.objects.filter(pk=draft.pk).update(title="改过的标题")
    revised = bulletins.bulletin_revise(actor=county.users["supervisor"], bulletin=frozen)
    bulletins.bulletin_issue(actor=county.users["supervisor"], bulletin=revised)
    assert Bulletin.objects.get(pk=frozen.pk).state == BulletinState.SUPERSEDED
