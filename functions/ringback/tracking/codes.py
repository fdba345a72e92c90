"""The short code a visit is shown beside its number: three digits and a check digit.

The code goes in a tap's tel: post-dial digits, and is shown as "ext. 1234" for hand
dialling; the IVR asks for it (ringback.calls.inbound). The fourth digit is Damm's check
digit (H. M. Damm, "Total anti-symmetric quasigroups", 2004): it catches every single
wrong digit and every swap of two adjacent digits, the two usual slips of a caller typing
a code, so a mistyped code is known to be wrong and the call falls back to ranking
instead of being pinned on another visit with certainty.
"""
from __future__ import annotations

PAYLOAD_DIGITS = 3
CODES = 10 ** PAYLOAD_DIGITS  # distinct payloads; a number's codes repeat only after this many leases

# Damm's totally anti-symmetric quasigroup of order 10 (the table of the 2004 thesis).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

# What the page writes before the code, by the site's language; English otherwise.
EXTENSION_LABELS = {
    "en": "ext.", "ru": "доб.", "uk": "дод.", "de": "Durchwahl", "fr": "poste", "es": "ext.", "it": "int.",
    "pt": "ramal", "pl": "wew.", "nl": "toestel", "tr": "dahili", "kk": "қос.",
}


def check_digit(digits: str) -> str:
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return str(interim)


def payload_of(sequence: int) -> str:
    """The payload of a line's `sequence`-th lease: consecutive leases of one number get
    distinct codes until CODES leases later."""
    return f"{sequence % CODES:0{PAYLOAD_DIGITS}d}"


def shown_code(payload: str) -> str:
    """What the visitor dials after the number: the payload and its check digit."""
    return payload + check_digit(payload)


def read_code(digits: str | None) -> str | None:
    """The payload a caller keyed in, or None when they skipped it, keyed the wrong number
    of digits or a wrong check digit."""
    if not digits or len(digits) != PAYLOAD_DIGITS + 1 or not digits.isdigit():
        return None
    return digits[:PAYLOAD_DIGITS] if check_digit(digits) == "0" else None


def extension_label(locale: str | None) -> str:
    language = (locale or "en").split("-")[0].lower()
    return EXTENSION_LABELS.get(language, EXTENSION_LABELS["en"])


# The IVR's question, short and skippable, and the voice that says it (Twilio <Say>
# language). Other languages hear English.
CODE_PROMPTS = {
    "en": ("Enter your four digit code, or press hash.", "en-US"),
    "ru": ("Введите четырёхзначный код или нажмите решётку.", "ru-RU"),
    "de": ("Geben Sie Ihren vierstelligen Code ein oder drücken Sie die Raute.", "de-DE"),
    "fr": ("Saisissez votre code à quatre chiffres, ou appuyez sur dièse.", "fr-FR"),
    "es": ("Marque su código de cuatro dígitos o pulse almohadilla.", "es-ES"),
    "it": ("Digiti il codice di quattro cifre o prema cancelletto.", "it-IT"),
    "pt": ("Digite seu código de quatro dígitos ou tecle jogo da velha.", "pt-BR"),
    "pl": ("Wpisz czterocyfrowy kod lub naciśnij krzyżyk.", "pl-PL"),
    "nl": ("Toets uw viercijferige code in, of druk op hekje.", "nl-NL"),
    "tr": ("Dört haneli kodunuzu girin veya kare tuşuna basın.", "tr-TR"),
}


def code_prompt(locale: str | None) -> tuple[str, str]:
    """What the caller hears before the code is gathered, and in which voice."""
    language = (locale or "en").split("-")[0].lower()
    return CODE_PROMPTS.get(language, CODE_PROMPTS["en"])
