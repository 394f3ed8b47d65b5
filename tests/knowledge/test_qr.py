"""QR codes: every model text's code must scan back to its link on a phone."""

from __future__ import annotations

from io import BytesIO
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image

from knowledge.model_texts import ModelText, load_model_texts
from knowledge.qr import QUIET_ZONE, qr_png, qr_svg

TEXTS = load_model_texts().all()


def _decode(png: bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(Image.open(BytesIO(png))))


@pytest.mark.parametrize("text", TEXTS, ids=[str(t.number) for t in TEXTS])
def test_every_model_text_qr_decodes_to_its_link(text: ModelText) -> None:
    found = _decode(qr_png(text.url))
    assert [b.text for b in found] == [text.url]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode


def test_a_court_configured_link_is_what_the_code_holds() -> None:
    url = "https://fy.court.test/files/%E7%A6%BB%E5%A9%9A.docx?v=2"
    assert [b.text for b in _decode(qr_png(url))] == [url]


def test_error_correction_level_m() -> None:
    assert _decode(qr_png(TEXTS[0].url))[0].ec_level == "M"


def test_png_has_a_quiet_zone_and_follows_the_scale() -> None:
    scale = 5
    image = Image.open(BytesIO(qr_png(TEXTS[0].url, scale=scale))).convert("L")
    margin = QUIET_ZONE * scale
    width, height = image.size
    assert width == height and width % scale == 0
    border = [
        image.getpixel((x, y))
        for x in range(width)
        for y in range(height)
        if x < margin or y < margin or x >= width - margin or y >= height - margin
    ]
    assert set(border) == {255}  # all white
    assert image.getpixel((margin, margin)) == 0  # the finder pattern's corner
    assert qr_png("x", scale=2) != qr_png("x", scale=3)


def test_svg_is_well_formed_and_scalable() -> None:
    svg = qr_svg(TEXTS[1].url)
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.attrib["width"]) == int(root.attrib["height"]) > 0
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        qr_png("")
    with pytest.raises(ValueError):
        qr_svg("")
    with pytest.raises(ValueError):
        qr_png("x", scale=0)
