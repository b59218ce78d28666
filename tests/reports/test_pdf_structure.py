"""The funder PDF's structure tree (PDF/UA-1), as a screen reader walks it.

One report is built with a table long enough to run over a page break (70 sites), charts and
outcomes, and its tags are read with pikepdf: the key figures are a list (L of LI), the long
table is one Table with one header row of TH cells (its repetition on the next page is a
pagination artifact), every figure's alternative text carries its values, each caption sits in
its figure, and no link is nested in another.
"""

import datetime as dt
import io

import pikepdf
import pytest

from core import pdf as core_pdf
from reports import document
from reports.generation import report_figures
from reports.models import Report
from reports.pdf import render_report_pdf

from ..conftest import load_reference_data
from ..factories import ActivityFactory, OutcomeMeasureFactory, ParticipantFactory, SiteFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
SITES = 70


def who5(raw):
    answers, left = {}, raw
    for key in "12345":
        answers[key] = min(5, left)
        left -= answers[key]
    return answers


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The PDF of a year with 70 sites, and each structure element's HTML element by number."""
    from ..factories import ProgramFactory

    with django_db_blocker.unblock():
        from django.db import transaction

        load_reference_data()

        with transaction.atomic():
            program = ProgramFactory(name="Structure", slug="structure")
            for i in range(SITES):
                site = SiteFactory(program=program, name=f"Unterkunft {i:02d}")
                ActivityFactory(program=program, site=site, date=dt.date(2025, 1 + i % 12, 10))
            for before, after in ((10, 15), (12, 13), (7, 12), (15, 14), (13, 16)):
                person = ParticipantFactory(program=program)
                OutcomeMeasureFactory(participant=person, date=START, answers=who5(before))
                OutcomeMeasureFactory(
                    participant=person,
                    timepoint="followup_6m",
                    date=dt.date(2025, 7, 1),
                    answers=who5(after),
                )
            report = Report(
                program=program,
                title="Sachbericht 2025",
                period_start=START,
                period_end=END,
                language="en",
            )
            snapshot = report_figures(report)
            sources = {}
            repair = core_pdf.StructureRepair.repair

            def spy(self):
                sources.update(self.sources)
                return repair(self)

            core_pdf.StructureRepair.repair = spy
            try:
                content = render_report_pdf(report, snapshot)
            finally:
                core_pdf.StructureRepair.repair = repair
            key_figures = len(document.build(snapshot).key_figures)
            transaction.set_rollback(True)
    return pikepdf.open(io.BytesIO(content)), sources, key_figures


def kids(element) -> list:
    k = element.get("/K")
    return list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]


def elements(element):
    """``element`` and every structure element below it."""
    yield element
    for kid in kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from elements(kid)


def tree(pdf):
    return [e for root in kids(pdf.Root.StructTreeRoot) for e in elements(root)]


def source(sources, element):
    return sources.get(element.objgen[0])


def classes(html) -> list[str]:
    return (html.get("class") or "").split() if html is not None else []


def pages_of(element) -> set:
    """The pages the content below ``element`` lies on."""
    found = set()
    for e in elements(element):
        for kid in kids(e):
            if isinstance(kid, int):
                found.add(e.Pg.objgen)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                found.add(kid.Pg.objgen)
    return found


def test_the_key_figures_are_a_list_of_items(built):
    pdf, sources, key_figures = built
    (tiles,) = [e for e in tree(pdf) if "key-figures" in classes(source(sources, e))]
    assert tiles.S == "/L"
    assert [str(kid.S) for kid in kids(tiles)] == ["/LI"] * key_figures
    # No list anywhere holds anything but list items (a Div between L and LI was the fault).
    for element in tree(pdf):
        if element.S == "/L":
            assert {str(kid.S) for kid in kids(element)} <= {"/LI", "/L", "/Caption"}


def test_a_table_across_pages_is_one_table_with_one_header_row(built):
    pdf, sources, _ = built
    by_site = [
        e
        for e in tree(pdf)
        if e.S == "/Table"
        and (html := source(sources, e)) is not None
        and html.find("caption") is not None
        and html.find("caption").text == "Activities by site"
    ]
    assert len(by_site) == 1
    table = by_site[0]
    assert len(pages_of(table)) >= 2, "the table should run over a page break"
    assert [str(kid.S) for kid in kids(table)] == ["/Caption", "/THead", "/TBody"]
    (header_row,) = kids(kids(table)[1])
    assert [str(cell.S) for cell in kids(header_row)] == ["/TH", "/TH", "/TH"]
    body_rows = kids(kids(table)[2])
    assert len(body_rows) == SITES
    # Every data cell names header cells that are in the tree.
    ids = {bytes(e.ID) for e in tree(pdf) if "/ID" in e}
    headers = [
        bytes(header)
        for e in elements(table)
        if e.S == "/TD" and "/A" in e and "/Headers" in e.A
        for header in e.A.Headers
    ]
    assert headers and set(headers) <= ids
    # The header printed again on the next page is a pagination artifact, not content.
    later_page = next(p for p in pdf.pages if p.obj.objgen in pages_of(table) - {table.Pg.objgen})
    artifacts = [
        op.operands[1]
        for op in pikepdf.parse_content_stream(later_page)
        if str(op.operator) == "BDC" and op.operands[0] == "/Artifact"
    ]
    assert any(properties.get("/Type") == "/Pagination" for properties in artifacts)


def test_every_piece_of_content_points_back_to_the_element_that_holds_it(built):
    pdf, _, _ = built
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    for i in range(0, len(nums), 2):
        parents = nums[i + 1]
        if not isinstance(parents, pikepdf.Array):
            continue
        page = pdf.pages[int(nums[i])].obj.objgen
        for mcid, parent in enumerate(parents):
            if parent is None or not isinstance(parent, pikepdf.Dictionary):
                continue  # an artifact
            held = [
                kid
                for kid in kids(parent)
                if (isinstance(kid, int) and int(kid) == mcid and parent.Pg.objgen == page)
                or (
                    isinstance(kid, pikepdf.Dictionary)
                    and kid.get("/Type") == "/MCR"
                    and int(kid.MCID) == mcid
                    and kid.Pg.objgen == page
                )
            ]
            assert held, (pages[page], mcid, str(parent.S))


def test_figures_carry_their_values_in_their_alternative_text(built):
    pdf, _, _ = built
    alts = [str(e.Alt) for e in tree(pdf) if e.S == "/Figure"]
    months = next(a for a in alts if a.startswith("Activities per month"))
    assert months.startswith(
        "Activities per month, January 2025 to December 2025: January 2025 6, February 6,"
    )
    assert months.endswith("November 5, December 5")
    outcome = next(a for a in alts if a.startswith("WHO-5 Well-Being Index: mean before"))
    assert "(n = 5), scale 0 to 100: Before 45.6 (95 % confidence interval" in outcome


def test_captions_sit_inside_their_figures(built):
    pdf, _, _ = built
    figures = [e for e in tree(pdf) if e.S == "/Figure"]
    assert figures
    for figure in figures:
        assert str(kids(figure)[0].S) == "/Caption"
    assert not any(
        kid.S == "/Caption"
        for e in tree(pdf)
        if e.S != "/Figure" and e.S != "/Table"
        for kid in kids(e)
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
    )


def test_no_link_is_nested_in_another(built):
    pdf, _, _ = built
    links = [e for e in tree(pdf) if e.S == "/Link"]
    assert len(links) >= 4  # the contents: key figures, sections, method notes
    for link in links:
        assert not any(e.S == "/Link" for e in list(elements(link))[1:])
