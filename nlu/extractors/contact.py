"""Mobile phone numbers and resident ID numbers: the personal data we must recognise to mask."""

from __future__ import annotations

import re

from nlu.extractors.base import Entity

_PHONE = re.compile(r"(?<![\d])(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")
_ID = re.compile(
    r"(?<![\da-z])(\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx])(?![\da-z])"
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_checksum_ok(number: str) -> bool:
    """GB 11643 (ISO 7064 MOD 11-2) check digit of an 18-character ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


def extract_phones(text: str) -> list[Entity]:
    return [Entity("phone", "".join(m.groups()), m.start(), m.end()) for m in _PHONE.finditer(text)]


def extract_id_numbers(text: str) -> list[Entity]:
    found = []
    for match in _ID.finditer(text):
        number = match.group(1).upper()
        if id_checksum_ok(number):
            found.append(Entity("id_number", number, match.start(), match.end()))
    return found
