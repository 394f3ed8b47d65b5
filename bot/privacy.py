"""Masking personal numbers before anything is logged or stored."""

from __future__ import annotations

import re

# 18-character ID numbers and 11-digit mainland mobiles, with optional separators.
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")


def mask_pii(text: str) -> str:
    """150602199001011238 → 150602********1238; 13900001111 → 139****1111."""
    text = _ID.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
