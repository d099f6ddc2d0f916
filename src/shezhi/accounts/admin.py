from django.contrib import admin

from .models import OneTimeCode, PhoneAccount


@admin.register(PhoneAccount)
class PhoneAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "masked_phone", "created_at"]
    search_fields = ["user__username", "user__first_name", "phone_last4"]
    # The number is never shown or edited here: it is the resident's sign-in.
    exclude = ["phone"]
    readonly_fields = ["user", "masked_phone", "created_at"]

    @admin.display(description="mobile number")
    def masked_phone(self, obj) -> str:
        return f"*******{obj.phone_last4}"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    """Codes sent, for watching abuse: no code, number or address is readable here."""

    list_display = ["pk", "created_at", "expires_at", "attempts", "used_at"]
    fields = ["created_at", "expires_at", "attempts", "used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
