from django.urls import path

from . import views, webhooks

app_name = "messaging"
urlpatterns = [
    path("survivor/<int:survivor_id>/", views.conversation, name="conversation"),
    path("survivor/<int:survivor_id>/text/", views.send_text, name="send_text"),
    path("survivor/<int:survivor_id>/call/", views.call_survivor, name="call_survivor"),
    path("followup/<int:followup_id>/fallback/", views.send_fallback, name="send_fallback"),
    # Twilio's webhooks: public, signature-checked (see README, "Connecting a real Twilio account").
    path("twilio/sms/", webhooks.incoming_text, name="twilio_incoming_text"),
    path("twilio/status/<uuid:message_id>/", webhooks.status_callback, name="twilio_status"),
    path("twilio/voice/message/<uuid:message_id>/", webhooks.voice_message, name="twilio_voice_message"),
    path("twilio/voice/bridge/<uuid:message_id>/", webhooks.voice_bridge, name="twilio_voice_bridge"),
]
