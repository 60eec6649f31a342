"""Admin: message templates (refused when they would disclose why we reach out), and a read-only log."""

from django.contrib import admin

from .forms import MessageTemplateForm
from .models import Message, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["name", "channel", "language", "active"]
    list_filter = ["channel", "language", "active"]
    search_fields = ["name"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Delivery states for troubleshooting; bodies and numbers stay on the survivor's page."""

    list_display = ["created_at", "direction", "channel", "purpose", "status", "error_code", "tries"]
    list_filter = ["status", "direction", "channel", "purpose"]
    fields = list_display + ["twilio_sid", "send_after", "sent_at", "updated_at", "survivor", "followup", "sent_by"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
