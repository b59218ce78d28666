"""The one PDF setup: tagged, printable PDFs (PDF/UA-1) from HTML with WeasyPrint.

Every PDF prints in the bundled fonts, the npm packages below ``LOTSE_FONT_DIR``: Noto Sans with
its Arabic and Ethiopic companions, so names and texts in those scripts print on any server.
A template names the families in its own stylesheet (``font-family: "Noto Sans", "Noto Sans
Arabic", "Noto Sans Ethiopic", sans-serif``); :func:`render_pdf` supplies the ``@font-face``
rules. Nothing is fetched over the network: the only files the renderer may open are the font
files, so images have to be data URLs and stylesheets inline.

WeasyPrint is imported when a PDF is made, not when the web process starts.
"""

from pathlib import Path
from urllib.parse import unquote

from django.conf import settings

FONTS = {
    # family -> {(weight, style): path below LOTSE_FONT_DIR}
    "Noto Sans": {
        ("400", "normal"): "noto-sans/400Regular/NotoSans_400Regular.ttf",
        ("400", "italic"): "noto-sans/400Regular_Italic/NotoSans_400Regular_Italic.ttf",
        ("700", "normal"): "noto-sans/700Bold/NotoSans_700Bold.ttf",
    },
    "Noto Sans Arabic": {
        ("400", "normal"): "noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf",
        ("700", "normal"): "noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf",
    },
    "Noto Sans Ethiopic": {
        ("400", "normal"): "noto-sans-ethiopic/400Regular/NotoSansEthiopic_400Regular.ttf",
        ("700", "normal"): "noto-sans-ethiopic/700Bold/NotoSansEthiopic_700Bold.ttf",
    },
}


def font_face_css() -> str:
    """The ``@font-face`` rules of the bundled fonts whose files are installed."""
    root = Path(settings.LOTSE_FONT_DIR)
    rules = []
    for family, files in FONTS.items():
        for (weight, style), name in files.items():
            path = root / name
            if path.exists():
                rules.append(
                    f'@font-face {{ font-family: "{family}"; font-weight: {weight};'
                    f' font-style: {style}; src: url("{path.as_uri()}"); }}'
                )
    return "\n".join(rules)


def url_fetcher():
    """A WeasyPrint URL fetcher that opens font files below the font directory and reads data
    URLs (an embedded logo), nothing else."""
    from weasyprint.urls import URLFetcher

    font_root = Path(settings.LOTSE_FONT_DIR).resolve()

    class FontsOnly(URLFetcher):
        """Opens font files below the font directory and data URLs, nothing else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = Path(unquote(url.removeprefix("file://"))).resolve()
            if not url.startswith("file://") or not path.is_relative_to(font_root):
                raise ValueError(f"PDFs may not load {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=frozenset({"file", "data"}))


def render_pdf(html: str) -> bytes:
    """``html`` as a tagged PDF (PDF/UA-1) in the bundled fonts, fetching nothing but them.

    The document's language, title and metadata come from its ``<html lang>``, ``<title>`` and
    ``<meta>`` elements.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = url_fetcher()
    font_config = FontConfiguration()
    fonts = CSS(string=font_face_css(), url_fetcher=fetcher, font_config=font_config)
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(
        stylesheets=[fonts], font_config=font_config, pdf_variant="pdf/ua-1"
    )
