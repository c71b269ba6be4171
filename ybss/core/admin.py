"""Admin for the code lists (county admins maintain them)."""

from typing import Any

from django.contrib import admin

from . import codes
from .models import Code, CodeList


class CodeInline(admin.TabularInline):
    model = Code
    extra = 0


@admin.register(CodeList)
class CodeListAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_zh", "name_en", "standard")
    inlines = [CodeInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: Any) -> None:
        super().save_related(request, form, formsets, change)
        codes.clear_cache()
