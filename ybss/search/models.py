"""Search (issue 8): the person key index and the purposes a search may state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchPurpose(models.TextChoices):
    """Why a search is made (DOMAIN.md §9-10): written to the audit trail with every search."""

    CASE = "case", _("Case investigation")
    VERIFY = "verify", _("Identity verification")
    CHECK = "check", _("Routine inspection and management")
    COLLECTION = "collection", _("Collecting and correcting records")
    HELP = "help", _("Helping a resident")
    OTHER = "other", _("Other (explain in the note)")


class PersonKey(models.Model):
    """One normalised search key of a person (see ``ybss.search.query`` for the kinds): an
    equality or range lookup on (kind, key) finds the person ids without touching the persons."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=4)
    key = models.CharField(_("key"), max_length=40)

    class Meta:
        verbose_name = _("person search key")
        verbose_name_plural = _("person search keys")
        indexes = [
            models.Index(fields=["kind", "key", "person"], name="search_pkey_lookup_idx"),
            models.Index(fields=["person"], name="search_pkey_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.person_id}"


class AddressKey(models.Model):
    """One character trigram of a live standard address's name below the county (see
    ``ybss.search.places``), split as its first two characters (``pair``) and the third (``next``,
    "" at the end of the name): a fragment of three or more characters looks its trigrams up by
    equality, a fragment of two looks up ``pair`` alone — no range over CJK text, so the lookups
    do not depend on the database's collation."""

    address = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    pair = models.CharField(_("key"), max_length=2)
    next = models.CharField(_("next character"), max_length=1, blank=True)

    class Meta:
        verbose_name = _("address search key")
        verbose_name_plural = _("address search keys")
        indexes = [
            models.Index(fields=["pair", "next", "address"], name="search_akey_lookup_idx"),
            models.Index(fields=["address"], name="search_akey_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pair}{self.next}:{self.address_id}"
