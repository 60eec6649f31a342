"""The built-in templates, in English and Spanish: discreet, never saying why we reach out.

The data migration adds them to the database, where admins edit them; the code falls
back to these when a template is missing, so a fallback is never lost to an empty table.
"""

DEFAULTS = [
    ("fallback", "sms", "en",
     "Hi {first_name}, it's {worker_name} from {program_name}. We'd like to check in with you. "
     "Call or text us at {program_phone} whenever you can. Reply STOP to opt out."),
    ("fallback", "sms", "es",
     "Hola {first_name}, le escribe {worker_name} de {program_name}. Queremos saber cómo está. "
     "Llame o escríbanos al {program_phone} cuando pueda. Responda STOP para no recibir mensajes."),
    ("fallback", "voice", "en",
     "Hello, this is a message for {first_name} from {program_name}. We'd like to check in with you. "
     "Please call us back at {program_phone}. Thank you."),
    ("fallback", "voice", "es",
     "Hola, este es un mensaje para {first_name} de {program_name}. Queremos saber cómo está. "
     "Por favor llámenos al {program_phone}. Gracias."),
    ("help", "sms", "en",
     "{program_name}: call or text us at {program_phone}. Reply STOP to opt out."),
    ("help", "sms", "es",
     "{program_name}: llame o escríbanos al {program_phone}. Responda STOP para no recibir mensajes."),
    ("checking in", "sms", "en",
     "Hi {first_name}, it's {worker_name} from {program_name}. Just checking in: how are you doing? "
     "You can reach us at {program_phone}."),
    ("checking in", "sms", "es",
     "Hola {first_name}, soy {worker_name} de {program_name}. Solo queríamos saber cómo está. "
     "Puede llamarnos al {program_phone}."),
]


def default_body(name, channel, language):
    bodies = {(n, c, lang): body for n, c, lang, body in DEFAULTS}
    return bodies.get((name, channel, language)) or bodies.get((name, channel, "en"), "")
