import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely import from_geojson, is_valid_reason

from .models import Area, AreaImport, BoundaryRevision
from .services import derive_geometry_fields


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["name", "dedicated_type", "boundary"]

    def clean_boundary(self):
        boundary = self.cleaned_data["boundary"]
        if not isinstance(boundary, dict) or boundary.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
        try:
            geom = from_geojson(json.dumps(boundary))
        except Exception as exc:
            raise ValidationError(str(exc)) from exc
        reason = is_valid_reason(geom)
        if reason != "Valid Geometry":
            raise ValidationError(_("Invalid geometry: %(reason)s") % {"reason": reason})
        return boundary


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """Names and boundaries can be corrected here; new areas come in through an import."""

    form = AreaAdminForm
    list_display = ["code", "name", "level", "kind", "dedicated_type", "numchild"]
    list_filter = ["level", "kind", "dedicated_type"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    readonly_fields = ["code", "level", "kind", *Area.DERIVED_FIELDS, "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting an area would orphan its subtree and everything pointing at it.
        return False

    def save_model(self, request, obj, form, change):
        for key, value in derive_geometry_fields(obj.boundary).items():
            setattr(obj, key, value)
        super().save_model(request, obj, form, change)


@admin.register(AreaImport)
class AreaImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "validate_only", "created_by", "created_at"]
    list_filter = ["status", "validate_only"]
    readonly_fields = [
        "created_by",
        "created_at",
        "finished_at",
        "file",
        "original_name",
        "validate_only",
        "status",
        "progress",
        "report",
    ]

    def has_add_permission(self, request):
        return False  # uploads go through the import page, which queues the worker


@admin.register(BoundaryRevision)
class BoundaryRevisionAdmin(admin.ModelAdmin):
    list_display = ["revision"]
    readonly_fields = ["revision"]

    def has_add_permission(self, request):
        return False
