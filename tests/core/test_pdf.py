"""The one PDF setup: the bundled fonts and a renderer that may open them and nothing else."""

import base64
import io
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from core.pdf import FONTS, font_face_css, render_pdf, url_fetcher


def test_every_bundled_font_has_a_face_rule():
    css = font_face_css()
    for family, files in FONTS.items():
        for name in files.values():
            assert (Path(settings.LOTSE_FONT_DIR) / name).exists(), name
            assert (Path(settings.LOTSE_FONT_DIR) / name).as_uri() in css, family


def test_the_renderer_opens_the_font_files():
    name = FONTS["Noto Sans"][("400", "normal")]
    response = url_fetcher().fetch((Path(settings.LOTSE_FONT_DIR) / name).as_uri())
    assert response.read(4) in (b"\x00\x01\x00\x00", b"OTTO", b"true")
    response.close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.org/logo.png",
        f"file://{settings.LOTSE_FONT_DIR}/../../package.json",
    ],
)
def test_the_renderer_opens_nothing_else(url):
    with pytest.raises(ValueError):
        url_fetcher().fetch(url)


def test_a_pdf_is_tagged_and_keeps_its_language_and_title():
    html = '<!doctype html><html lang="ar"><head><title>شهادة</title></head><body><p>سميرة</p>'
    reader = PdfReader(io.BytesIO(render_pdf(html)))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert str(catalog["/Lang"]) == "ar"
    assert reader.metadata.title == "شهادة"


# A red pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_an_image_given_as_a_data_url_is_printed():
    src = "data:image/png;base64," + base64.b64encode(PNG).decode()
    html = f'<!doctype html><html lang="en"><title>Logo</title><img src="{src}" alt="Logo">'
    assert len(PdfReader(io.BytesIO(render_pdf(html))).pages[0].images) == 1
