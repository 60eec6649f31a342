"""Message templates: refused when they would say why we reach out; managed by admins."""

import pytest
from django.core.exceptions import ValidationError

from followups.messaging.models import MessageTemplate
from port.accounts.roles import Role

pytestmark = pytest.mark.django_db


def template(body, language="en"):
    return MessageTemplate(name="test", channel="sms", language=language, body=body)


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("Hi {first_name}, about your overdose", "overdose"),
        ("We have NARCAN for you", "NARCAN"),
        ("Our officer will stop by", "officer"),
        ("Meth test strips available", "Meth"),
        ("Hola, sobre su tratamiento", "tratamiento"),
        ("Ayuda con la policía", "policía"),
    ],
)
def test_a_template_with_a_forbidden_word_is_refused_naming_the_word(body, word):
    with pytest.raises(ValidationError) as refused:
        template(body).full_clean()
    assert f"Remove '{word}'" in str(refused.value.message_dict["body"])


@pytest.mark.parametrize("body", ["A methodical, goody check-in", "Good morning {first_name}", "Todo bien?"])
def test_words_that_merely_contain_a_forbidden_one_are_fine(body):
    template(body).full_clean()


def test_the_forbidden_words_are_a_setting(settings):
    settings.FORBIDDEN_MESSAGE_WORDS = ["clinic"]
    with pytest.raises(ValidationError):
        template("See you at the clinic").full_clean()
    template("Your overdose").full_clean()


def test_an_unknown_placeholder_is_refused():
    with pytest.raises(ValidationError) as refused:
        template("Hi {name}, from {program_name}").full_clean()
    assert "Unknown placeholder {name}" in str(refused.value)


def test_the_admin_refuses_a_forbidden_word_and_keeps_what_was_typed(client, login, make_user):
    login(make_user(role=Role.ADMIN))
    typed = "Hi {first_name}, we can help with detox."
    response = client.post(
        "/admin/messaging/messagetemplate/add/",
        {"name": "detox offer", "channel": "sms", "language": "en", "body": typed, "active": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Remove &#x27;detox&#x27;" in page and typed in page
    assert not MessageTemplate.objects.filter(name="detox offer").exists()


def test_the_admin_saves_a_discreet_template(client, login, make_user):
    login(make_user(role=Role.ADMIN))
    response = client.post(
        "/admin/messaging/messagetemplate/add/",
        {"name": "appointment", "channel": "sms", "language": "es", "body": "Hola {first_name}, ¿le va bien mañana?",
         "active": "on"},
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.filter(name="appointment", language="es").exists()


def test_a_program_name_that_discloses_the_reason_is_flagged_by_the_system_check(settings):
    from followups.messaging.checks import check_messaging_settings

    settings.PROGRAM_NAME = "County Overdose Response Team"
    [warning] = check_messaging_settings()
    assert warning.id == "messaging.W001" and "'Overdose'" in warning.msg
    settings.PROGRAM_NAME = "Community Outreach Program"
    assert check_messaging_settings() == []
