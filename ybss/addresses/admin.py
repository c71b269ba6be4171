from django.contrib import admin

from .models import AddressElement


@admin.register(AddressElement)
class AddressElementAdmin(admin.ModelAdmin):
    """The gazetteer (street, compound and group names): place names, not personal data."""

    list_display = ("name", "kind", "division")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("division",)
