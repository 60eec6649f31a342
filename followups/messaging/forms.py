"""Forms for messages: a one-off text from the survivor's page, and templates in the admin."""

import uuid

from django import forms

from . import wording
from .models import TEMPLATE_LANGUAGES, MessageTemplate
from .services import CannotSend, render_template

MAX_TEXT_LENGTH = 480  # three SMS segments


class OneOffTextForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(),
        required=False,
        empty_label="Write my own",
        label="Start from",
    )
    body = forms.CharField(
        label="Text",
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT_LENGTH, "data-sms-counter": "true"}),
        help_text="Never say why we are reaching out. Placeholders: {first_name}, {worker_name}, "
        "{program_phone}, {program_name}.",
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, survivor, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survivor = survivor
        self.user = user
        language = survivor.language if survivor.language in dict(TEMPLATE_LANGUAGES) else "en"
        templates = list(
            MessageTemplate.objects.filter(channel=MessageTemplate.Channel.SMS, active=True, language=language)
            .exclude(name=MessageTemplate.HELP)
            .order_by("name")
        )
        self.fields["template"].queryset = MessageTemplate.objects.filter(pk__in=[t.pk for t in templates])
        self.template_choices = []
        for template in templates:
            try:
                preview = render_template(template, survivor, worker=user)
            except CannotSend:
                continue
            self.template_choices.append((template, preview))
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        template, body = cleaned.get("template"), (cleaned.get("body") or "").strip()
        if not body and template is not None:
            body = template.body
        if not body:
            self.add_error("body", "Write the text, or start from a template.")
            return cleaned
        words = wording.forbidden_words_in(body)
        if words:
            self.add_error("body", wording.forbidden_words_message(words))
            return cleaned
        unknown = wording.unknown_placeholders_in(body)
        if unknown:
            self.add_error("body", wording.unknown_placeholders_message(unknown))
            return cleaned
        cleaned["rendered"] = wording.render(
            body,
            first_name=self.survivor.first_name_for_messages,
            worker_name=(self.user.first_name or "").strip() if self.user else "",
            language=self.survivor.language,
        )
        return cleaned


class MessageTemplateForm(forms.ModelForm):
    """The admin's form: the model's clean() refuses forbidden words and unknown placeholders."""

    class Meta:
        model = MessageTemplate
        fields = ["name", "channel", "language", "body", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
