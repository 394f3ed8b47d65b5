"""Masking personal numbers before anything is logged or stored."""

from __future__ import annotations

import re

# 18-character ID numbers and 11-digit mainland mobiles, with optional separators.
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
# Pre-1999 15-digit IDs (GB 11643-1989): area, YYMMDD birth date, sequence; no check
# digit, so the date must look like one, which keeps other 15-digit numbers intact.
_OLD_ID = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(\d{3})(?![0-9A-Za-z])"
)
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")


def mask_pii(text: str) -> str:
    """150602199001011238 → 150602********1238; 13900001111 → 139****1111.

    A 15-digit old ID keeps its area code and sequence: 110105491231002 → 110105******002.
    """
    text = _ID.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)
    text = _OLD_ID.sub(lambda m: f"{m.group(1)}{'*' * 6}{m.group(2)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
