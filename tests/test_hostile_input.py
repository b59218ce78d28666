"""Hostile input: random and malicious values in every form of the project.

The forms are found the way a browser finds them: each program page of the URLconf is opened
(as a coordinator and as a volunteer), and every ``<form method="post">`` on it is read, with
the names, types and choices of its inputs, selects, textareas and named buttons. Hypothesis
then posts values for every field: huge strings, RTL and Arabic text, emoji, NUL and control
characters, HTML, SQL fragments, negative and enormous numbers, impossible dates, garbage
files; some fields keep a plausible value, so validation gets past the first error.

The property: no answer is a server error (the test client re-raises a view's exception), and
a form shown again with its errors (200 or 422) has stored nothing: the row count of every
table of the project's apps is the same before and after.
"""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.access import ROLE_PERMISSIONS, view_permission
from programs.models import Membership

from .test_permission_matrix import ALL_PATTERNS, SCOPED, URL_ARGS, build_world

Role = Membership.Role


# ---- reading forms out of a page ---------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, file, number, date, …
    value: str = ""
    options: list = field(default_factory=list)  # choices of a select, or radio values
    multiple: bool = False
    checked: bool = False


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)  # name -> Field (radios and checkboxes merged)
    multipart: bool = False


class FormParser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None
        self.option_value: str | None = None
        self.option_text = ""

    def _add(self, f: Field):
        known = self.form.fields.get(f.name)
        if known is None:
            self.form.fields[f.name] = f
            if f.kind in ("radio", "checkbox"):
                f.options = [f.value]
            return
        # Several checkboxes or radios of one name: a choice field.
        if f.value not in known.options:
            known.options.append(f.value)
        known.multiple = known.multiple or f.kind == "checkbox"
        known.checked = known.checked or f.checked

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                action = a.get("action") or self.page_url
                self.form = Form(
                    action=urlsplit(action).path or self.page_url,
                    multipart="multipart" in (a.get("enctype") or ""),
                )
                self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image", "reset", "button"):
                if kind == "submit":
                    self._add(Field(name, "button", a.get("value") or ""))
                return
            self._add(
                Field(
                    name,
                    kind,
                    a.get("value") or ("on" if kind == "checkbox" else ""),
                    checked="checked" in a,
                )
            )
        elif tag == "button" and name:
            self._add(Field(name, "button", a.get("value") or ""))
        elif tag == "select" and name:
            self.select = Field(name, "select", multiple="multiple" in a)
            self._add(self.select)
        elif tag == "option" and self.select is not None:
            self.option_value = a.get("value")
            self.option_text = ""
            if "selected" in a:
                self.select.value = self.option_value or ""
        elif tag == "textarea" and name:
            self.textarea = Field(name, "textarea")
            self._add(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.option_value is not None or self.select is not None:
            self.option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "option" and self.select is not None:
            value = self.option_value if self.option_value is not None else self.option_text
            self.select.options.append(value.strip())
            self.option_value = None


def post_forms(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


def url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


# ---- the forms under test ----------------------------------------------------------------

# Pages are addressed as in the permission matrix (URL_ARGS); a few need an object the matrix's
# world doesn't have (see ``extend_world``).
EXTRA_ARGS = {
    "report_edit": lambda w: {"pk": w.draft_report.pk},
    "report_detail": lambda w: {"pk": w.draft_report.pk},
    "volunteer_detail": lambda w: {"pk": w.uninvited.pk},
    "match_detail": lambda w: {"pk": w.active_match.pk},
}


@dataclass(frozen=True)
class Case:
    """One form: the page that shows it, the view it posts to, a field that tells it apart."""

    host: str
    target: str
    marker: str | None = None  # a field only this form of the page has
    query: str = ""
    examples: int = 20

    @property
    def id(self):
        return f"{self.target}@{self.host}{self.query}" + (
            f"[{self.marker}]" if self.marker else ""
        )


CASES = [
    # Volunteer flows: log a session (with its concern and quick-create), change it.
    Case("activity_log", "activity_log", examples=25),
    Case("activity_edit", "activity_edit", examples=25),
    Case("participant_quick_create", "participant_quick_create"),
    *(
        Case("outcome_measure_create", "outcome_measure_create", query=f"?instrument={code}")
        for code in ("who5", "ucla3", "rhs15")
    ),
    Case("referral_create", "referral_create"),
    # Coordinator flows.
    Case("concern_acknowledge", "concern_acknowledge", examples=10),
    Case("match_create", "match_create"),
    Case("match_detail", "match_action", examples=5),  # pause: no fields
    Case("match_detail", "match_action", marker="end_reason", examples=10),
    Case("match_detail", "match_action", marker="six_month_check_on", examples=10),
    Case("selfhelp_create", "selfhelp_create"),
    Case("selfhelp_edit", "selfhelp_edit"),
    Case("selfhelp_detail", "selfhelp_status", examples=10),
    Case("selfhelp_detail", "selfhelp_follow_up", examples=10),
    Case("volunteer_create", "volunteer_create"),
    Case("volunteer_edit", "volunteer_edit"),
    Case("volunteer_status", "volunteer_status"),
    Case("volunteer_detail", "volunteer_invite", examples=10),
    Case("training_create", "training_create"),
    Case("training_edit", "training_edit"),
    Case("training_detail", "training_session_add", examples=15),
    Case("training_session_edit", "training_session_edit", marker="topic", examples=15),
    Case("training_detail", "training_enrol", examples=10),
    Case("training_attendance", "training_attendance", examples=15),
    Case("training_session_all_present", "training_session_all_present", examples=10),
    # Bulk actions on the lists (the first step: which rows, which action).
    Case("activity_list", "activity_list", examples=10),
    Case("volunteer_list", "volunteer_list", examples=10),
    Case("enrollment_complete", "enrollment_complete", examples=15),
    Case("supervision_create", "supervision_create"),
    Case("supervision_edit", "supervision_edit"),
    Case("site_create", "site_create", examples=15),
    Case("site_edit", "site_edit", examples=15),
    Case("site_detail", "site_detail", examples=15),  # occupancy
    Case("area_create", "area_create", examples=15),
    Case("area_edit", "area_edit", examples=15),
    Case("participant_erase", "participant_erase", examples=10),
    Case("referral_edit", "referral_edit"),
    Case("referral_inbound_create", "referral_inbound_create", examples=25),
    Case("referral_detail", "referral_detail", marker="sent-note"),
    Case("referral_detail", "referral_detail", marker="closed-note"),
    Case("provider_create", "provider_create"),
    Case("provider_edit", "provider_edit"),
    Case("provider_import", "provider_import"),
    Case("report_create", "report_create"),
    Case("report_edit", "report_edit"),
    Case("program_import", "program_import"),
    Case("program_home", "set_language", examples=10),
    # Outside a program.
    Case("login", "login"),
    Case("password_change", "password_change"),
]

# Forms found on the pages that are deliberately left out, with the reason.
NOT_FUZZED = {
    "logout": "no fields",
    "training_session_edit[delete]": "a delete button, no fields",
    "report_new_version": "a button, no fields; the permission matrix posts it",
    "report_generate": "a button, no fields; the permission matrix posts it",
    "report_publish": "a button, no fields; the permission matrix posts it",
    "report_unpublish": "a button, no fields; the permission matrix posts it",
}

ANONYMOUS = "anonymous"
OUTSIDE_PROGRAM = {"login": ANONYMOUS, "password_change": None, "set_language": None}
URL_ARGS_ALL = {**URL_ARGS, **EXTRA_ARGS}
CALLBACKS = {pattern.name: pattern.callback for _route, pattern in ALL_PATTERNS}


def roles_for(case: Case) -> list[str]:
    """Who posts the form: whoever may use its view (the login form: nobody signed in)."""
    if case.target in OUTSIDE_PROGRAM:
        only = OUTSIDE_PROGRAM[case.target]
        return [only] if only else [Role.COORDINATOR, Role.VOLUNTEER]
    perm = view_permission(CALLBACKS[case.target])
    return [role for role in (Role.COORDINATOR, Role.VOLUNTEER) if perm in ROLE_PERMISSIONS[role]]


PARAMS = [
    pytest.param(case, role, id=f"{role}:{case.id}") for case in CASES for role in roles_for(case)
]

# Answers besides "shown again with errors" and "redirected", each with its reason.
ALSO_ALLOWED = {
    # An unknown or missing next status is not a form error: the step doesn't exist.
    "referral_detail": {404},
    # Ticks that aren't "volunteer-session" pairs of this training are a broken request.
    "training_attendance": {400},
}


# ---- the world ---------------------------------------------------------------------------


def extend_world(world):
    """The matrix's world plus what some forms only show for: a draft report, a volunteer
    without a login (the invitation form; not enrolled: the enrolment form), an active match
    (pause, six-month check)."""
    from reports.models import Report

    from .factories import MatchFactory, ParticipantFactory, VolunteerFactory

    world.draft_report = Report.objects.create(
        program=world.program,
        title="Draft 2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 6, 30),
        language="en",
    )
    world.uninvited = VolunteerFactory(program=world.program, email="uninvited@example.org")
    world.active_match = MatchFactory(
        program=world.program,
        volunteer=world.uninvited,
        participant=ParticipantFactory(program=world.program),
        status="active",
        started_on=dt.date(2024, 3, 10),
    )
    return world


def page_url(world, name: str, query: str = "") -> str:
    if name in ("login", "password_change"):
        return reverse(name)
    kwargs = {"program_slug": world.program.slug, **URL_ARGS_ALL.get(name, lambda w: {})(world)}
    return reverse(name, kwargs=kwargs) + query


def sign_in(client, world, role):
    client.logout()
    if role != ANONYMOUS:
        client.force_login(world.users[role])


def find_form(client, world, case: Case, role) -> Form | None:
    sign_in(client, world, role)
    url = page_url(world, case.host, case.query)
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    if response.status_code != 200:
        return None
    for form in post_forms(response.content.decode(), url):
        if url_name(form.action) == case.target and (
            case.marker is None or case.marker in form.fields
        ):
            return form
    return None


# ---- counting what is stored -------------------------------------------------------------

APPS = ("programs", "volunteers", "sessions_log", "referrals", "reports")
# Tables that are written whatever the form says: logs of who did what.
LOG_TABLES = {"programs.securityevent"}


def data_models():
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower not in LOG_TABLES:
                yield model


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in data_models()}


# ---- hostile values ----------------------------------------------------------------------

HUGE = "ﷺ" * 20_000 + "x" * 80_000
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "abc\x00def",
    "\x00" * 10,
    "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f",
    "\r\n\r\n\t",
    "\u202e\u0645\u0631\u062d\u0628\u0627 ‮evil‬",  # RTL override in Arabic
    "مرحبا بالعالم، هذا اختبار",
    "سلام دنیا",
    "👩‍👩‍👧‍👦🏳️‍🌈🇩🇪" * 5,
    "\ufeff\u200b\u200d\u2028\u2029",
    "Ｆｕｌｌｗｉｄｔｈ",
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "1; DROP TABLE sessions_log_activity; --",
    "%s%s%s%n%(x)s{0}",
    "../../../../etc/passwd",
    "null",
    "None",
    "[]",
    '{"a": 1}',
    HUGE,
    "a" * 256,
    "a" * 1025,
]
HOSTILE_NUMBERS = [
    "-1",
    "0",
    "-0",
    "1.5",
    "-2147483649",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "1" * 400,
    "1e309",
    "1e-309",
    "NaN",
    "Infinity",
    "-inf",
    "0x1F",
    "١٢٣",  # Arabic-Indic digits
    "١٫٥",
    "12,5",
    "1_000",
    " 7 ",
]
HOSTILE_DATES = [
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "31.12.2024",
    "12/31/2024",
    "2024/01/01",
    "0000-00-00",
    "0001-01-01",
    "1900-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2024-01-01",
    "2024-01-01T25:61:61",
    "2024-01-01" * 500,
    "٢٠٢٤-٠١-٠١",
    "２０２４-０１-０１",
    "today",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE_TEXT + HOSTILE_NUMBERS + HOSTILE_DATES),
    st.text(max_size=60),  # any code point but surrogates, control characters included
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d.%m.%Y")),
)


def plausible(f: Field, today: str):
    """A value a careful user might send, so that validation goes past the first field."""
    if f.kind in ("select", "radio") or (f.kind == "checkbox" and len(f.options) > 1):
        choices = [o for o in f.options if o] or f.options or [""]
        if f.multiple:
            return st.lists(st.sampled_from(choices), max_size=3, unique=True)
        return st.sampled_from(choices)
    if f.kind == "checkbox":
        return st.sampled_from([[f.value], []])
    if f.kind == "button":
        return st.sampled_from(f.options or [f.value])
    if f.kind == "file":
        return files()
    if f.kind == "hidden" or f.value:
        return st.just(f.value)
    name = f.name.split("-")[-1]
    if f.kind == "date" or name == "date" or name.endswith("_on") or name.startswith("period_"):
        return st.sampled_from([today, "2024-03-01"])
    if f.kind == "number":
        return st.sampled_from(["1", "3", "60"])
    if f.kind == "email" or name == "email":
        return st.just("someone@example.org")
    if "password" in name:
        return st.just("a-Long-and-new-passphrase-42")
    return st.sampled_from(["Hello", "Ahmad", "Notes of the day"])


def garbage_file(name_ext):
    return st.builds(
        lambda name, content: SimpleUploadedFile(name, content),
        st.sampled_from(["data", "ملف", "../../x", "a" * 300, "😀"]).map(lambda n: n + name_ext),
        st.binary(max_size=3000),
    )


def _csv(rows):
    return "\n".join(";".join(cells) for cells in rows)


@st.composite
def csv_upload(draw):
    from referrals.importing import COLUMNS

    header = draw(st.sampled_from([list(COLUMNS), ["name"], [], ["\x00", "ä", "name", "name"]]))
    rows = draw(
        st.lists(
            st.lists(
                st.sampled_from(HOSTILE_TEXT + HOSTILE_NUMBERS + HOSTILE_DATES)
                | st.text(max_size=20),
                max_size=len(header) + 2,
            ),
            max_size=6,
        )
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"]))
    content = _csv([header, *rows]).encode(encoding, errors="replace")
    return SimpleUploadedFile(draw(st.sampled_from(["p.csv", "p.txt", "p.CSV"])), content)


@st.composite
def zip_upload(draw):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in draw(
            st.lists(st.sampled_from(["a.csv", "../b.csv", "x.xlsx", "c"]), max_size=3)
        ):
            archive.writestr(name, draw(st.binary(max_size=200)))
    content = buffer.getvalue()
    if draw(st.booleans()):
        content = content[: draw(st.integers(0, len(content)))]  # truncated
    return SimpleUploadedFile(draw(st.sampled_from(["d.zip", "d.xlsx"])), content)


def files():
    return st.one_of(
        csv_upload(),
        zip_upload(),
        *(garbage_file(ext) for ext in (".csv", ".xlsx", ".zip", ".exe", "")),
        st.just(SimpleUploadedFile("empty.csv", b"")),
    )


OMIT = object()


@st.composite
def form_data(draw, form: Form, today: str):
    """Every field: its plausible value, a hostile one, or left out."""
    names = [n for n in form.fields if n != "csrfmiddlewaretoken"]
    if not names:
        return {}
    hostile_names = draw(
        st.one_of(
            st.sets(st.sampled_from(names), min_size=1, max_size=3),  # deep: a few bad fields
            st.just(set(names)),  # everything bad
        )
    )
    data = {}
    for name in names:
        f = form.fields[name]
        if name in hostile_names:
            if f.kind == "file":
                value = draw(files())
            else:
                value = draw(st.one_of(hostile, st.just(OMIT), st.lists(hostile, max_size=3)))
        else:
            value = draw(plausible(f, today))
        if value is not OMIT:
            data[name] = value
    return data


# ---- the property ------------------------------------------------------------------------


@pytest.fixture
def hostile_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return extend_world(build_world())


def _adds_a_participant(data) -> bool:
    # "Add participant" inside the log form saves the new participant and shows the form again
    # with them ticked: a 200 that stores a row by design.
    action = data.get("_action")
    return action == "add_participant" or (isinstance(action, list) and "add_participant" in action)


@pytest.mark.django_db
@pytest.mark.parametrize("case, role", PARAMS)
def test_hostile_values_never_crash_a_form_nor_store_half_of_it(client, hostile_world, case, role):
    world = hostile_world
    form = find_form(client, world, case, role)
    if form is None and role != Role.COORDINATOR and role != ANONYMOUS:
        # The page doesn't offer it to this role: post what a coordinator's form has anyway.
        form = find_form(client, world, case, Role.COORDINATOR)
    assert form is not None, f"{case.id}: the form is not on {case.host}"
    target = form.action
    today = dt.date.today().isoformat()
    allowed = {200, 302, 303, 409, 422} | ALSO_ALLOWED.get(case.target, set())

    @settings(
        max_examples=case.examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(data=form_data(form, today))
    def check(data):
        with transaction.atomic():
            sign_in(client, world, role)
            before = row_counts()
            response = client.post(target, data)
            after = row_counts()
            transaction.set_rollback(True)
        assert response.status_code in allowed, (case.id, response.status_code)
        if response.status_code in (200, 409, 422):
            changed = {
                table: (before[table], after[table])
                for table in before
                if before[table] != after[table]
            }
            if _adds_a_participant(data):
                changed = {t: c for t, c in changed.items() if "participant" not in t}
            assert not changed, f"{case.id}: shown again with errors, yet stored {changed}"

    check()


def test_every_form_of_every_page_is_under_test(client, hostile_world):
    """Walk every page of the URLconf as each role; each post form found is a case (or is
    listed as left out, with the reason)."""
    world = hostile_world
    covered = {(c.target, c.marker) for c in CASES}
    missing = set()
    for role in (Role.COORDINATOR, Role.VOLUNTEER):
        sign_in(client, world, role)
        names = [p.name for _r, p in SCOPED] + list(EXTRA_ARGS)
        for name in names:
            url = page_url(world, name)
            with transaction.atomic():
                response = client.get(url)
                transaction.set_rollback(True)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in post_forms(response.content.decode(), url):
                target = url_name(form.action)
                if target in NOT_FUZZED:
                    continue
                markers = [m for t, m in covered if t == target]
                if not any(m is None or m in form.fields for m in markers):
                    left_out = [f"{target}[{n}]" for n in form.fields]
                    if not any(key in NOT_FUZZED for key in left_out):
                        missing.add(f"{target} (on {name}, as {role}): {sorted(form.fields)}")
    assert not missing, "\n".join(sorted(missing))
