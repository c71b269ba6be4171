"""三实: actual houses, persons with their residences, units with their employments.

Coded fields hold the code of a ``core.CodeList`` (slug named in the field's help text); services
check codes against the table, pages show the labels.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ybss.core.models import BusinessRecord


class VerifyState(models.TextChoices):
    PENDING = "pending", _("Not verified")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Verification found problems")


class House(BusinessRecord):
    """实有房屋: usually one per room address, one per door plate for a rural courtyard house."""

    address = models.ForeignKey(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        related_name="houses",
        verbose_name=_("address"),
    )
    house_type = models.CharField(_("house type"), max_length=16, help_text="codelist: house_type")
    structure = models.CharField(
        _("structure"), max_length=16, blank=True, help_text="codelist: house_structure"
    )
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(_("rooms"), null=True, blank=True)
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    use = models.CharField(_("use"), max_length=16, help_text="codelist: house_use", db_index=True)
    ownership = models.CharField(_("ownership"), max_length=16, blank=True, help_text="codelist: ownership")
    owner_name = models.CharField(_("owner"), max_length=40, blank=True)
    owner_id_number = models.CharField(_("owner ID number"), max_length=18, blank=True)
    owner_phone = models.CharField(_("owner phone"), max_length=20, blank=True)
    custodian_name = models.CharField(_("custodian"), max_length=40, blank=True)
    custodian_id_number = models.CharField(_("custodian ID number"), max_length=18, blank=True)
    custodian_phone = models.CharField(_("custodian phone"), max_length=20, blank=True)
    landlord = models.ForeignKey(
        "Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="let_houses",
        verbose_name=_("landlord"),
    )
    rental_mode = models.CharField(
        _("rental mode"), max_length=8, blank=True, help_text="codelist: rental_mode"
    )
    rental_start = models.DateField(_("rental start"), null=True, blank=True)
    rent = models.DecimalField(_("monthly rent"), max_digits=9, decimal_places=2, null=True, blank=True)
    rental_filing_no = models.CharField(_("rental filing number"), max_length=40, blank=True)
    security_pledge = models.BooleanField(_("security pledge signed"), default=False)
    management_level = models.CharField(
        _("management level"), max_length=1, default="C", help_text="codelist: management_level"
    )
    is_urban_village = models.BooleanField(_("urban village"), default=False)
    is_urban_fringe = models.BooleanField(_("urban-rural fringe"), default=False)
    is_complex_area = models.BooleanField(_("complex public-order area"), default=False)
    verify_state = models.CharField(
        _("verification"),
        max_length=10,
        choices=VerifyState.choices,
        default=VerifyState.PENDING,
        db_index=True,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        indexes = [models.Index(fields=["police_unit", "status"], name="house_unit_status_idx")]

    def __str__(self) -> str:
        return str(self.address_id)


class Person(BusinessRecord):
    """实有人口: one master record per person, keyed by document type + number."""

    id_type = models.CharField(_("document type"), max_length=4, default="111", help_text="codelist: id_type")
    id_number = models.CharField(_("document number"), max_length=32)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60, db_index=True)
    pinyin = models.CharField(_("pinyin"), max_length=120, blank=True, db_index=True)
    former_names = models.CharField(_("former names"), max_length=120, blank=True)
    sex = models.CharField(_("sex"), max_length=1, help_text="codelist: sex")
    ethnicity = models.CharField(_("ethnicity"), max_length=2, blank=True, help_text="codelist: ethnicity")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    phone2 = models.CharField(_("second phone"), max_length=20, blank=True)
    hukou_division_code = models.CharField(_("registered domicile division code"), max_length=12, blank=True)
    hukou_address_text = models.CharField(_("registered domicile address"), max_length=200, blank=True)
    hukou_address = models.ForeignKey(
        "addresses.StandardAddress",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered domicile standard address"),
    )
    education = models.CharField(_("education"), max_length=2, blank=True, help_text="codelist: education")
    marital = models.CharField(_("marital status"), max_length=2, blank=True, help_text="codelist: marital")
    occupation = models.CharField(_("occupation"), max_length=60, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    is_key_person = models.BooleanField(_("key person"), default=False)
    nationality = models.CharField(
        _("nationality"), max_length=3, blank=True, help_text="codelist: nationality"
    )
    foreign_surname = models.CharField(_("foreign surname"), max_length=60, blank=True)
    foreign_given_name = models.CharField(_("foreign given name"), max_length=60, blank=True)
    visa_type = models.CharField(_("visa type"), max_length=4, blank=True, help_text="codelist: visa_type")
    visa_expiry = models.DateField(_("visa expiry"), null=True, blank=True)
    entry_date = models.DateField(_("entry date"), null=True, blank=True)
    expected_departure = models.DateField(_("expected departure"), null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="person_unique_document"),
        ]
        indexes = [models.Index(fields=["police_unit", "status"], name="person_unit_status_idx")]

    def __str__(self) -> str:
        return self.name


class ResidenceType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent (registered and living here)")
    LODGING = "lodging", _("Lodging (county hukou, living elsewhere in the county)")
    FLOATING = "floating", _("Floating (inflow from outside the county)")
    FOREIGN = "foreign", _("Foreigner")
    UNREGISTERED = "unregistered", _("No hukou")


class Residence(BusinessRecord):
    """居住: a person living in a house. ``separated`` (人户分离) is derived by the service from the
    person's domicile and the house's division, at township level."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="residences", verbose_name=_("person")
    )
    house = models.ForeignKey(
        House, on_delete=models.PROTECT, related_name="residences", verbose_name=_("house")
    )
    residence_type = models.CharField(
        _("residence type"), max_length=12, choices=ResidenceType.choices, db_index=True
    )
    relation = models.CharField(
        _("relation to householder"), max_length=2, blank=True, help_text="codelist: relation"
    )
    reason = models.CharField(_("reason"), max_length=10, blank=True, help_text="codelist: residence_reason")
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    is_tenant = models.BooleanField(_("tenant"), default=False)
    is_owner = models.BooleanField(_("owner"), default=False)
    landlord = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("landlord")
    )
    separated = models.BooleanField(_("household separated"), default=False, db_index=True)
    active = models.BooleanField(_("current"), default=True, db_index=True)

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "house"], condition=Q(active=True), name="residence_once_per_house"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(active=True, residence_type="permanent"),
                name="residence_one_permanent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.house_id}"


class Unit(BusinessRecord):
    """实有单位."""

    name = models.CharField(_("unit name"), max_length=100, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    category = models.CharField(_("category"), max_length=16, help_text="codelist: unit_category")
    industry = models.CharField(_("industry"), max_length=2, blank=True, help_text="codelist: industry")
    special_trade = models.CharField(
        _("special trade"), max_length=20, blank=True, db_index=True, help_text="codelist: special_trade"
    )
    hazards = models.JSONField(_("hazardous goods"), default=list, blank=True, help_text="codelist: hazard")
    legal_rep_name = models.CharField(_("legal representative"), max_length=40, blank=True)
    legal_rep_id_number = models.CharField(_("legal representative ID number"), max_length=18, blank=True)
    legal_rep_phone = models.CharField(_("legal representative phone"), max_length=20, blank=True)
    security_lead_name = models.CharField(_("security lead"), max_length=40, blank=True)
    security_lead_id_number = models.CharField(_("security lead ID number"), max_length=18, blank=True)
    security_lead_phone = models.CharField(_("security lead phone"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.ForeignKey(
        "addresses.StandardAddress", on_delete=models.PROTECT, related_name="units", verbose_name=_("address")
    )
    house = models.ForeignKey(
        House, on_delete=models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("house")
    )
    biz_status = models.CharField(
        _("business status"), max_length=10, default="open", help_text="codelist: unit_status"
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_key_unit = models.BooleanField(_("key unit"), default=False)
    has_cctv = models.BooleanField(_("CCTV present"), default=False)
    verify_state = models.CharField(
        _("verification"),
        max_length=10,
        choices=VerifyState.choices,
        default=VerifyState.PENDING,
        db_index=True,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Employment(BusinessRecord):
    """从业: a person working at a unit."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="employments", verbose_name=_("person")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="employments", verbose_name=_("unit")
    )
    post = models.CharField(_("post"), max_length=40, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("current"), default=True)

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")

    def __str__(self) -> str:
        return f"{self.person_id}@{self.unit_id}"
