"""Query counts and latency of the main pages of one database, served by gunicorn.

Run by ``python -m bench`` once per scale, with DATABASE_URL, DJANGO_SETTINGS_MODULE=
bench.settings, DEBUG=0, SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and SECURE_SSL_REDIRECT=0 in the
environment. It

1. picks the pages of the demo coordinator's program (in2balance): the dashboard, the
   activity list filtered to group sessions, the volunteer list, the page of the participant
   with the most activities, the referral list, the report list and the preview of a draft
   report for the program's last twelve months (created if missing; its figures as kept
   from the last computation, and recomputed with ``?recompute=1``), and ``/bench-hello/``;
2. signs the coordinator in (a session row in the database, as the login form would write
   it), and marks the session two-factor verified with a confirmed TOTP device named
   "benchmark" (programs/two_factor.py requires it of coordinators when DEBUG is off);
3. counts each page's queries once with the test client and CaptureQueriesContext;
4. starts gunicorn (2 sync workers) on 127.0.0.1 and requests every page ``--requests`` times
   in turn over loopback with the session cookie, after a warm-up round;
5. prints one JSON object with the counts and latencies.
"""

import argparse
import datetime as dt
import http.client
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from programs.models import Program  # noqa: E402
from reports.models import Report  # noqa: E402
from sessions_log.models import Activity  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = "in2balance"
COORDINATOR = "coordinator@demo.lotse"
REPORT_TITLE = "Benchmark program-year"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def program_year(program: Program) -> tuple[dt.date, dt.date]:
    """The twelve months up to the program's last logged activity."""
    end = program.activities.order_by("-date").values_list("date", flat=True).first()
    end = end or dt.date.today()
    return end.replace(year=end.year - 1) + dt.timedelta(days=1), end


def draft_report(program: Program, user) -> Report:
    start, end = program_year(program)
    report = program.reports.filter(title=REPORT_TITLE, status=Report.Status.DRAFT).first()
    if report is None or (report.period_start, report.period_end) != (start, end):
        report = Report.objects.create(
            program=program,
            title=REPORT_TITLE,
            period_start=start,
            period_end=end,
            language=program.default_language,
            created_by=user,
        )
    return report


def pages(program: Program, user) -> list[tuple[str, str]]:
    slug = program.slug
    participant = (
        Activity.participants.through.objects.filter(activity__program=program)
        .values("participant_id")
        .annotate(n=Count("activity_id"))
        .order_by("-n", "participant_id")
        .values_list("participant_id", flat=True)
        .first()
    )
    report = draft_report(program, user)
    return [
        ("hello (floor)", "/bench-hello/"),
        ("dashboard", reverse("program_home", args=[slug])),
        ("activity list ?kind=group", reverse("activity_list", args=[slug]) + "?kind=group"),
        ("volunteer list", reverse("volunteer_list", args=[slug])),
        ("participant page", reverse("participant_detail", args=[slug, participant])),
        ("referral list", reverse("referral_list", args=[slug])),
        ("report list", reverse("report_list", args=[slug])),
        ("report preview", reverse("report_detail", args=[slug, report.pk])),
        (
            "report preview ?recompute=1",
            reverse("report_detail", args=[slug, report.pk]) + "?recompute=1",
        ),
    ]


def signed_in_client(user, second_factor: bool = True) -> Client:
    """A test client with a session for ``user``; its cookie also works against gunicorn.

    With ``second_factor`` the session has passed it, with a device of the user's; without,
    the user has none, as most volunteers (the app asks it of roles that see participants
    across the program: programs/two_factor.py)."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    if "django_otp" in settings.INSTALLED_APPS:
        # Mark the session verified with a confirmed device of the user's, as
        # django_otp.login() does after a right code.
        from django.apps import apps
        from django_otp import DEVICE_ID_SESSION_KEY

        if apps.is_installed("django_otp.plugins.otp_totp"):
            from django_otp.plugins.otp_totp.models import TOTPDevice as Device
        else:
            from django_otp.plugins.otp_static.models import StaticDevice as Device
        devices = Device.objects.filter(user=user, name="benchmark")
        if not second_factor:
            devices.delete()
            return client
        device = devices.filter(confirmed=True).first()
        if device is None:
            device = Device.objects.create(user=user, name="benchmark", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def query_counts(client: Client, urls: list[tuple[str, str]]) -> dict[str, int]:
    counts = {}
    for name, url in urls:
        client.get(url)  # warm caches (ContentTypes, translations) as a running server has
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        counts[name] = len(queries)
    return counts


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--config=config/gunicorn.py",  # as docs/deploy.md runs it
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=300",
        "--log-level=warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)


def get(port: int, url: str, cookie: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", url, headers={"Cookie": cookie, "Accept-Language": "en"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, time.perf_counter() - started, len(body)


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            get(port, "/bench-hello/", "")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def measure(port: int, urls, cookie: str, requests: int) -> dict[str, dict]:
    seconds: dict[str, list[float]] = {name: [] for name, _url in urls}
    sizes: dict[str, int] = {}
    for _ in range(2):  # warm-up: every worker imports, connects and loads templates
        for _name, url in urls:
            get(port, url, cookie)
    for _ in range(requests):  # in turn, so that noise from other processes hits all pages
        for name, url in urls:
            status, elapsed, size = get(port, url, cookie)
            if status != 200:
                raise SystemExit(f"{name}: {url} answered {status} over HTTP")
            seconds[name].append(elapsed)
            sizes[name] = size
    return {
        name: {
            "p50": statistics.median(values),
            "p95": percentile(values, 0.95),
            "max": max(values),
            "n": len(values),
            "bytes": sizes[name],
        }
        for name, values in seconds.items()
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    program = Program.objects.get(slug=PROGRAM)
    user = get_user_model().objects.get(username=COORDINATOR)
    urls = pages(program, user)
    client = signed_in_client(user)
    counts = query_counts(client, urls)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    data = {
        "database": connection.vendor,
        "activities": Activity.objects.count(),
        "program activities": program.activities.count(),
        "urls": dict(urls),
        "queries": counts,
    }
    connection.close()

    server = start_gunicorn(args.port, args.workers)
    try:
        wait_until_up(args.port, server)
        data["latency"] = measure(args.port, urls, cookie, args.requests)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
