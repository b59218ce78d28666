"""The one PDF setup: tagged, printable PDFs (PDF/UA-1) from HTML with WeasyPrint.

Every PDF prints in the bundled fonts, the npm packages below ``LOTSE_FONT_DIR``: Noto Sans with
its Arabic and Ethiopic companions, so names and texts in those scripts print on any server.
A template names the families in its own stylesheet (``font-family: "Noto Sans", "Noto Sans
Arabic", "Noto Sans Ethiopic", sans-serif``); :func:`render_pdf` supplies the ``@font-face``
rules. Nothing is fetched over the network: the only files the renderer may open are the font
files, so images have to be data URLs and stylesheets inline.

WeasyPrint is imported when a PDF is made, not when the web process starts.

WeasyPrint builds the structure tree (the tags a screen reader follows) page by page, so an
element that runs over a page break becomes one structure element per page: a table across two
pages reads as two tables, each with its header row. :class:`StructureRepair` mends the tree
before the file is written: fragments of one HTML element become one structure element again, a
table header repeated on a later page is marked as a pagination artifact (the reader hears it
once), and a figure's caption moves into its figure.
"""

import atexit
import gc
import threading
from contextlib import contextmanager
from contextvars import ContextVar
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


class _Renderer(threading.local):
    """What every PDF of a thread shares: the URL fetcher, the font configuration and the
    stylesheet of the bundled fonts. Built once per thread, not per PDF: the fetcher's
    construction loads the system's certificate store, and a fresh font configuration loads the
    font files and measures their glyphs again (a Pango font map is not made for use by several
    threads at once, hence one per thread)."""

    ready = False

    def setup(self):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.fetcher = url_fetcher()
        self.font_config = FontConfiguration()
        self.fonts = CSS(
            string=font_face_css(), url_fetcher=self.fetcher, font_config=self.font_config
        )
        self.ready = True
        return self


_renderer = _Renderer()


@atexit.register
def _release_fonts() -> None:
    """Let the main thread's font configuration remove its copies of the font files while the
    interpreter can still do so (another thread's goes with its thread)."""
    _renderer.__dict__.clear()


@contextmanager
def _cycle_collection_paused():
    """Pause Python's cycle collector while a PDF is laid out. WeasyPrint builds hundreds of
    thousands of short-lived objects; the collector walked the live ones again and again (and
    the whole process's heap once or twice per PDF), a tenth of the rendering time, to find
    nothing to free: they go when the rendering ends."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def render_pdf(html: str) -> bytes:
    """``html`` as a tagged PDF (PDF/UA-1) in the bundled fonts, fetching nothing but them.

    The document's language, title and metadata come from its ``<html lang>``, ``<title>`` and
    ``<meta>`` elements. The structure tree is repaired before writing (:class:`StructureRepair`).
    """
    from weasyprint import HTML

    _record_sources()
    renderer = _renderer if _renderer.ready else _renderer.setup()
    sources: dict = {}
    token = _SOURCES.set(sources)
    try:
        with _cycle_collection_paused():
            return HTML(string=html, base_url=None, url_fetcher=renderer.fetcher).write_pdf(
                stylesheets=[renderer.fonts],
                font_config=renderer.font_config,
                pdf_variant="pdf/ua-1",
                finisher=lambda _document, pdf: StructureRepair(pdf, sources).repair(),
            )
    finally:
        _SOURCES.reset(token)


# ---- the structure tree ----------------------------------------------------------------------

# While a PDF is written: structure element number -> the HTML element it was made for.
_SOURCES: ContextVar[dict | None] = ContextVar("pdf_structure_sources", default=None)


def _record_sources() -> None:
    """Make WeasyPrint's structure builder note which HTML element each structure element
    stands for (into :data:`_SOURCES`, while a PDF is written). Installed once per process."""
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "records_sources", False):
        return

    def recording(box, *args):
        for element in build(box, *args):
            sources = _SOURCES.get()
            if sources is not None:
                # The innermost call sees an element first; html and body pass theirs on.
                sources.setdefault(element.number, getattr(box, "_box", box).element)
            yield element

    recording.records_sources = True
    tags._build_box_tree = recording


class StructureRepair:
    """Mends WeasyPrint's page-by-page structure tree of ``pdf`` (a ``pydyf.PDF``) in place.

    ``sources`` maps structure element numbers to the HTML elements they were made for.
    """

    def __init__(self, pdf, sources: dict):
        import pydyf

        self.pydyf = pydyf
        self.pdf = pdf
        self.sources = sources
        self.replaced: dict[bytes, bytes] = {}  # absorbed element -> the element it went into

    # -- helpers

    def obj(self, reference):
        return self.pdf.objects[int(reference.split()[0])]

    def element(self, kid):
        """The structure element ``kid`` refers to, or None (a content id, an annotation)."""
        if not isinstance(kid, bytes):
            return None
        found = self.obj(kid)
        return found if found.get("Type") == "/StructElem" else None

    def source(self, element):
        return self.sources.get(element.number)

    def kids(self, element):
        return [e for e in (self.element(k) for k in element["K"]) if e is not None]

    # -- the repairs

    def repair(self) -> None:
        root_reference = self.pdf.catalog.get("StructTreeRoot")
        if root_reference is None:
            return
        root = self.obj(root_reference)
        self.parent_tree = self.obj(root["ParentTree"])
        document = self.obj(root["K"][0])
        self.merge_fragments(document)
        self.drop_repeated_headers(document)
        self.merge_fragments(document)  # the body groups on either side of a dropped header
        self.update_parent_tree()
        self.captions_into_figures(document)

    def continues(self, first, second, *, inside_merged: bool) -> bool:
        """Whether ``second`` is the next page's fragment of ``first``."""
        if first is None or second is None or first["S"] != second["S"]:
            return False
        if first["Pg"] == second["Pg"]:
            return False  # fragments of one element lie on different pages
        a, b = self.source(first), self.source(second)
        if a is not None or b is not None:
            return a is b
        # Unnamed pieces (text runs, list bodies) continue only inside a mended element.
        return (
            inside_merged
            and first.number not in self.sources
            and (second.number not in self.sources)
        )

    def merge_fragments(self, element, *, inside_merged: bool = False) -> None:
        """Join each run of page fragments among ``element``'s children into one element."""
        merged_numbers = set()
        kept = []
        for kid in element["K"]:
            previous = self.element(kept[-1]) if kept else None
            current = self.element(kid)
            if self.continues(previous, current, inside_merged=inside_merged):
                self.absorb(previous, current)
                merged_numbers.add(previous.number)
                continue
            kept.append(kid)
        element["K"][:] = kept
        for kid in self.kids(element):
            self.merge_fragments(kid, inside_merged=inside_merged or kid.number in merged_numbers)

    def absorb(self, first, second) -> None:
        """Move ``second``'s content into ``first``; content ids of another page are
        referenced with their page."""
        for kid in second["K"]:
            child = self.element(kid)
            if child is not None:
                child["P"] = first.reference
            elif isinstance(kid, int) and second["Pg"] != first["Pg"]:
                kid = self.pydyf.Dictionary({"Type": "/MCR", "Pg": second["Pg"], "MCID": kid})
            first["K"].append(kid)
        self.replaced[second.reference] = first.reference

    def update_parent_tree(self) -> None:
        """Point the parent tree's entries of absorbed elements at the elements they joined."""
        if not self.replaced:
            return

        def final(reference):
            while reference in self.replaced:
                reference = self.replaced[reference]
            return reference

        nums = self.parent_tree["Nums"]
        for i in range(1, len(nums), 2):
            value = nums[i]
            if isinstance(value, list):
                value[:] = [final(ref) if isinstance(ref, bytes) else ref for ref in value]
            elif isinstance(value, bytes):
                nums[i] = final(value)

    def drop_repeated_headers(self, element) -> None:
        """A table's header row group repeated on a later page becomes a pagination artifact."""
        if element["S"] == "/Table":
            first_groups, renamed = {}, {}
            for group in self.kids(element):
                if group["S"] not in ("/THead", "/TFoot"):
                    continue
                source = self.source(group)
                if source is None:
                    continue
                if source not in first_groups:
                    first_groups[source] = group
                elif self.to_artifact(group):
                    renamed.update(self.header_ids(group, first_groups[source]))
                    element["K"].remove(group.reference)
            if renamed:  # one walk over the table's cells, however many pages it spans
                self.point_headers_at(element, renamed)
        for kid in self.kids(element):
            self.drop_repeated_headers(kid)

    def header_ids(self, repeated, first) -> dict:
        """The ids of the repeated header cells, each to the id of its first header's cell."""
        ids_by_source = {
            self.source(cell): cell.get("ID") for cell in self.descendants(first) if "ID" in cell
        }
        renamed = {
            cell["ID"]: ids_by_source.get(self.source(cell))
            for cell in self.descendants(repeated)
            if "ID" in cell
        }
        return {old: new for old, new in renamed.items() if new is not None}

    def point_headers_at(self, table, renamed: dict) -> None:
        """Cells that named repeated header cells name the first header's cells."""
        for cell in self.descendants(table):
            headers = cell.get("A", {}).get("Headers") if cell["S"] == "/TD" else None
            if headers:
                headers[:] = [renamed.get(header, header) for header in headers]

    def descendants(self, element):
        for kid in self.kids(element):
            yield kid
            yield from self.descendants(kid)

    def marked_content(self, element):
        """(page reference, content id) of every piece of content below ``element``."""
        for kid in element["K"]:
            if isinstance(kid, int):
                yield element["Pg"], kid
            elif isinstance(kid, dict) and kid.get("Type") == "/MCR":
                yield kid["Pg"], kid["MCID"]
            elif (child := self.element(kid)) is not None:
                yield from self.marked_content(child)

    def to_artifact(self, element) -> bool:
        """Mark ``element``'s content as a pagination artifact; False (nothing changed) when a
        piece of it is not found in its page's content stream."""
        found = []
        for page, mcid in self.marked_content(element):
            stream = self.obj(self.obj(page)["Contents"]).stream
            position = self.content_positions(stream).get(mcid)
            if position is None:
                return False
            found.append((page, mcid, stream, position))
        pages = list(self.pdf.page_references)
        nums = self.parent_tree["Nums"]
        for page, mcid, stream, position in found:
            stream[position - 1] = "/Artifact"
            stream[position] = self.pydyf.Dictionary({"Type": "/Pagination"})
            parents = nums[2 * pages.index(page) + 1]
            parents[mcid] = b"null"
        return True

    def content_positions(self, stream) -> dict[int, int]:
        """Content id -> position of its property list in a page's content stream."""
        cache = getattr(self, "_positions", None)
        if cache is None:
            cache = self._positions = {}
        key = id(stream)
        if key not in cache:
            cache[key] = {
                item["MCID"]: i
                for i, item in enumerate(stream)
                if isinstance(item, dict)
                and "MCID" in item
                and i + 1 < len(stream)
                and stream[i + 1] == b"BDC"
            }
        return cache[key]

    def captions_into_figures(self, element) -> None:
        """A ``<figure>``'s caption becomes the first child of its one Figure element."""
        source = self.source(element)
        if source is not None and str(source.tag).rpartition("}")[2] == "figure":
            figures = [e for e in self.descendants(element) if e["S"] == "/Figure"]
            captions = [e for e in self.kids(element) if e["S"] == "/Caption"]
            if len(figures) == 1 and len(captions) == 1:
                figure, caption = figures[0], captions[0]
                element["K"].remove(caption.reference)
                figure["K"].insert(0, caption.reference)
                caption["P"] = figure.reference
                return
        for kid in self.kids(element):
            self.captions_into_figures(kid)
