"""System checks: a program name that would disclose the reason, and a Twilio backend without credentials."""

from django.conf import settings
from django.core import checks

from .wording import forbidden_words_in


@checks.register()
def check_messaging_settings(app_configs=None, **kwargs):
    problems = []
    words = forbidden_words_in(settings.PROGRAM_NAME)
    if words:
        problems.append(
            checks.Warning(
                f"PROGRAM_NAME contains {', '.join(repr(w) for w in words)}, and it appears in every text.",
                hint="Use a neutral name such as 'Community Outreach Program'.",
                id="messaging.W001",
            )
        )
    if settings.MESSAGING_BACKEND.endswith("TwilioBackend"):
        missing = [
            name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name)
        ]
        if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
            missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if not (settings.PROGRAM_PHONE or settings.TWILIO_FROM_NUMBER):
            missing.append("PROGRAM_PHONE (the number texts ask people to call)")
        if missing:
            problems.append(
                checks.Warning(
                    f"The Twilio backend is on but {', '.join(missing)} is not set: nothing can be sent.",
                    hint="See the README, 'Connecting a real Twilio account'.",
                    id="messaging.W002",
                )
            )
    return problems
