"""QR codes for links users open on their phone (a model text's page, for instance).

Why fixed settings: error-correction level M survives a slightly crumpled
printout or a glare on a screen, and the 4-module quiet zone the QR standard
asks for keeps phone scanners reliable; callers should not have to know this.
"""

from __future__ import annotations

import io

import segno

#: Error-correction level: M restores about 15 % of damaged modules.
ERROR_LEVEL = "m"
#: Quiet zone around the symbol, in modules (the standard's minimum for QR).
QUIET_ZONE = 4


def _make(data: str) -> segno.QRCode:
    if not data:
        raise ValueError("QR data must not be empty")
    # boost_error=False keeps level M exactly instead of raising it when it fits.
    return segno.make(data, error=ERROR_LEVEL, micro=False, boost_error=False)


def qr_png(data: str, scale: int = 8) -> bytes:
    """A PNG image of ``data`` as a QR code; ``scale`` pixels per module."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    out = io.BytesIO()
    _make(data).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()


def qr_svg(data: str) -> str:
    """An SVG document of ``data`` as a QR code (scales without blur, for print and web)."""
    out = io.BytesIO()
    _make(data).save(out, kind="svg", scale=8, border=QUIET_ZONE, xmldecl=False)
    return out.getvalue().decode("utf-8")
