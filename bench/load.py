"""Load test: volunteers logging sessions while coordinators browse, then count what was saved.

    .venv/bin/python -m bench.load --seconds 60            # default 300 s, scale medium
    .venv/bin/python -m bench.load --scale small --volunteers 20 --coordinators 2

Against gunicorn (2 sync workers, DEBUG off) and PostgreSQL on loopback only: the database of
BENCH_LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/lotse_bench_load_<scale>,
created and seeded with the demo data of ``--scale`` (small or medium) if needed.

In the demo program in2balance it adds ``--volunteers`` volunteer accounts (default 50, each
with a volunteer profile) and ``--coordinators`` coordinators (default 5, the demo
coordinator and four more), signs each in with a session of its own (coordinators with their
second factor, volunteers without one, as the app lets them), and for ``--seconds``
(each user starting after a first pause of the think time: users arrive one after another)

- each volunteer works as the installed app does (static/js/offline-queue.js): opens the
  log-session form once, then for every session waits (``--think``, on average a second: filling
  in the form), sends it to the sync URL with an idempotency key of its own (a POST answered in
  JSON; the form stays open for the next), and waits again (reading the answer); after every
  fifth session it opens "My sessions" and then the form again. Every tenth session (staggered)
  is sent twice at the same moment, as a retry racing the first send would be. With
  ``--classic`` each volunteer instead works as a browser without the page's script: for every
  session it opens the form, reads its CSRF token and idempotency key, waits, posts it, follows
  the redirect to "My sessions" and waits; every tenth is a double tap (the form posted twice
  at once);
- each coordinator opens the dashboard, the activity list (filtered), the volunteer list, the
  referral list and the latest activity in turn, with the same think time.

Afterwards it checks: no request failed (any status other than the expected one, or no
answer, is an error), every idempotency key whose POST was answered exists exactly once, and
no other activity appeared. It prints the count of requests, errors and p50/p95/max latency
per kind of request, the CPU time gunicorn used per request, and how fast the machine was
before and after (a fixed piece of Python: shared machines vary a lot, and near saturation a
machine a fifth slower doubles the p95). The activities it logged are deleted again unless
``--keep`` is given.
Exit status 1 on any error, lost or duplicated activity.
"""

import argparse
import datetime as dt
import http.client
import math
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"
PROGRAM = "in2balance"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--scale", choices=["small", "medium"], default="medium")
    parser.add_argument("--volunteers", type=int, default=50)
    parser.add_argument("--coordinators", type=int, default=5)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause in seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--keep", action="store_true", help="keep the logged activities")
    parser.add_argument(
        "--classic", action="store_true", help="volunteers post the form without the app's script"
    )
    return parser.parse_args(argv)


def prepare_environment(args) -> None:
    """Settings as in production over plain HTTP; the database seeded (in a subprocess)."""
    url = os.environ.get("BENCH_LOAD_DATABASE_URL", PG + f"lotse_bench_load_{args.scale}")
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-only-" + "x" * 50),
        FIELD_ENCRYPTION_KEY=os.environ.get("BENCH_FIELD_ENCRYPTION_KEY", "bench-only-" + "y" * 40),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "bench.seed", "--scale", args.scale]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if not (ROOT / "bench" / "results" / "static" / "staticfiles.json").exists():
        command = [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"]
        subprocess.run(command, cwd=ROOT, check=True)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = defaultdict(list)
        self.errors: list[str] = []
        self.saved_keys: list[str] = []  # one per answered POST (a double tap: two)

    def record(self, kind, seconds):
        with self.lock:
            self.seconds[kind].append(seconds)

    def error(self, text):
        with self.lock:
            self.errors.append(text)


class Browser:
    """One user's cookies over fresh loopback connections (gunicorn's sync workers close)."""

    def __init__(self, port, session_cookie, stats):
        self.port, self.stats = port, stats
        self.cookies = dict([session_cookie])

    def request(self, kind, method, url, body=None, expect=200, headers=None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            conn.request(method, url, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            conn.close()
        except OSError as error:
            self.stats.error(f"{method} {url}: {error!r}")
            return None, ""
        self.stats.record(kind, time.perf_counter() - started)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.status not in (expect if isinstance(expect, tuple) else (expect,)):
            self.stats.error(f"{method} {url}: {response.status} (expected {expect})")
            return None, text
        return response, text


def pause(rnd, think):
    time.sleep(rnd.uniform(0, 2 * think))


def session_data(rnd, site_ids, topic_ids) -> dict:
    return {
        "kind": "group",
        "date": (dt.date.today() - dt.timedelta(days=rnd.randint(0, 6))).isoformat(),
        "site": rnd.choice(site_ids),
        "attendees_total": 8,
        "attendees_women": 3,
        "attendees_men": 3,
        "attendees_children": 2,
        "languages": ["ar", "fa"],
        "topics": [rnd.choice(topic_ids)],
        "minutes": rnd.choice([60, 90, 120]),
        "notes": "Load test",
    }


def at_once(browser, send) -> list:
    """``send(b)`` for the browser and a twin with its cookies, at the same moment."""
    twin = Browser(browser.port, ("x", "y"), browser.stats)
    twin.cookies = dict(browser.cookies)
    answers = []
    threads = [
        threading.Thread(target=lambda b=b: answers.append(send(b))) for b in (browser, twin)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def volunteer_loop(browser, slug, site_ids, topic_ids, deadline, think, seed):
    """The installed app: the form stays open; each session is one POST to the sync URL."""
    rnd = random.Random(seed)
    log_url, sync_url = f"/p/{slug}/log/", f"/p/{slug}/log/sync/"
    n = 0
    pause(rnd, think)  # users arrive one after another, not all in the same millisecond
    form_open = False
    while time.monotonic() < deadline:
        if not form_open:
            response = browser.request("log form (GET)", "GET", log_url)[0]
            if response is None or "csrftoken" not in browser.cookies:
                if response is not None:
                    browser.stats.error("log form without a CSRF cookie")
                pause(rnd, think)
                continue
            form_open = True
        pause(rnd, think)
        key = str(uuid.uuid4())  # as the page's script makes it (crypto.randomUUID)
        body = urlencode(
            {**session_data(rnd, site_ids, topic_ids), "idempotency_key": key}, doseq=True
        )

        def send(b, body=body):
            headers = {"X-CSRFToken": b.cookies["csrftoken"], "Accept": "application/json"}
            return b.request("sync POST", "POST", sync_url, body, (201, 200), headers)[0]

        n += 1
        answers = at_once(browser, send) if (n + seed) % 10 == 0 else [send(browser)]
        with browser.stats.lock:
            browser.stats.saved_keys += [key] * sum(a is not None for a in answers)
        pause(rnd, think)
        if n % 5 == 0:
            browser.request("my sessions (GET)", "GET", f"/p/{slug}/my-sessions/")
            form_open = False


def classic_volunteer_loop(browser, slug, site_ids, topic_ids, deadline, think, seed):
    """A browser without the page's script: form, post, redirect for every session."""
    rnd = random.Random(seed)
    log_url = f"/p/{slug}/log/"
    n = 0
    pause(rnd, think)
    while time.monotonic() < deadline:
        response, html = browser.request("log form (GET)", "GET", log_url)
        if response is None:
            pause(rnd, think)
            continue
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
        if not (token and key):
            browser.stats.error("log form without CSRF token or idempotency key")
            continue
        pause(rnd, think)
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "idempotency_key": key.group(1),
            **session_data(rnd, site_ids, topic_ids),
        }
        body = urlencode(data, doseq=True)
        n += 1

        def post(b, body=body):
            return b.request("log POST", "POST", log_url, body, expect=302)[0]

        answers = at_once(browser, post) if (n + seed) % 10 == 0 else [post(browser)]
        with browser.stats.lock:
            browser.stats.saved_keys += [key.group(1)] * sum(a is not None for a in answers)
        response = next((a for a in answers if a is not None), None)
        if response is not None:
            browser.request("after POST (redirect)", "GET", response.getheader("Location"))
        pause(rnd, think)


def coordinator_loop(browser, urls, deadline, think, seed):
    rnd = random.Random(seed)
    pause(rnd, think)
    while time.monotonic() < deadline:
        for url in urls:
            if time.monotonic() >= deadline:
                return
            browser.request("coordinator pages", "GET", url)
            pause(rnd, think)


def machine_seconds() -> float:
    """CPU seconds of a fixed piece of pure Python: how fast this machine is just now (shared
    machines vary by a third or more from hour to hour)."""
    started = time.process_time()
    sum(i * i for i in range(10**7))
    return time.process_time() - started


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main(argv=None) -> int:
    args = parse_args(argv)
    prepare_environment(args)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse

    from bench.pages import signed_in_client, start_gunicorn, wait_until_up
    from programs.models import Membership, Program
    from sessions_log.models import Activity, Topic
    from volunteers.models import Volunteer

    program = Program.objects.get(slug=PROGRAM)
    User = get_user_model()
    site_ids = list(program.sites.filter(active=True).values_list("pk", flat=True))
    topic_ids = list(
        Topic.objects.filter(program__isnull=True, active=True).values_list("pk", flat=True)
    )
    volunteer_users = []
    for i in range(args.volunteers):
        user, _ = User.objects.get_or_create(username=f"load-volunteer-{i:03d}@bench.lotse")
        Membership.objects.get_or_create(
            user=user, program=program, defaults={"role": Membership.Role.VOLUNTEER}
        )
        Volunteer.objects.get_or_create(
            program=program,
            user=user,
            defaults={
                "code": f"LOAD-{i:03d}",
                "name": f"Load Volunteer {i:03d}",
                "status": Volunteer.Status.ACTIVE,
                "joined_on": dt.date(2020, 1, 1),
            },
        )
        volunteer_users.append(user)
    coordinator_users = [User.objects.get(username="coordinator@demo.lotse")]
    for i in range(1, args.coordinators):
        user, _ = User.objects.get_or_create(username=f"load-coordinator-{i}@bench.lotse")
        Membership.objects.get_or_create(
            user=user, program=program, defaults={"role": Membership.Role.COORDINATOR}
        )
        coordinator_users.append(user)
    coordinator_users = coordinator_users[: args.coordinators]

    def cookie(user, second_factor):
        client = signed_in_client(user, second_factor)
        return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value

    # Volunteers sign in without a second factor, as the app lets them; coordinators with it.
    volunteer_cookies = [cookie(u, False) for u in volunteer_users]
    coordinator_cookies = [cookie(u, True) for u in coordinator_users]
    latest = program.activities.order_by("-pk").values_list("pk", flat=True).first()
    slug = program.slug
    browse = [
        reverse("program_home", args=[slug]),
        reverse("activity_list", args=[slug]) + "?kind=group",
        reverse("volunteer_list", args=[slug]),
        reverse("referral_list", args=[slug]),
        reverse("activity_detail", args=[slug, latest]),
    ]
    before = Activity.objects.filter(program=program).count()
    max_pk = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()

    stats = Stats()
    speed_before = machine_seconds()
    server_cpu = children_cpu_seconds()
    server = start_gunicorn(args.port, args.workers)
    try:
        wait_until_up(args.port, server)
        started = time.monotonic()
        deadline = started + args.seconds
        volunteer = classic_volunteer_loop if args.classic else volunteer_loop
        threads = [
            threading.Thread(
                target=volunteer,
                args=(
                    Browser(args.port, c, stats),
                    slug,
                    site_ids,
                    topic_ids,
                    deadline,
                    args.think,
                    i,
                ),
            )
            for i, c in enumerate(volunteer_cookies)
        ] + [
            threading.Thread(
                target=coordinator_loop,
                args=(Browser(args.port, c, stats), browse, deadline, args.think, 1000 + i),
            )
            for i, c in enumerate(coordinator_cookies)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    server_cpu = children_cpu_seconds() - server_cpu  # gunicorn and its workers, once ended
    speed_after = machine_seconds()

    # What reached the database.
    keys = {uuid.UUID(k) for k in stats.saved_keys}
    new = Activity.objects.filter(program=program, pk__gt=max_pk)
    per_key = dict(
        new.exclude(idempotency_key=None)
        .values_list("idempotency_key")
        .annotate(n=Count("pk"))
        .values_list("idempotency_key", "n")
    )
    lost = [k for k in keys if per_key.get(k, 0) == 0]
    duplicated = [k for k, n in per_key.items() if n > 1]
    unexpected = new.count() - len(keys)  # activities nobody got an answer for, or without key
    after = Activity.objects.filter(program=program).count()

    requests = sum(len(v) for v in stats.seconds.values())
    print(
        f"{args.volunteers} volunteers and {len(coordinator_users)} coordinators for "
        f"{elapsed:.0f} s against gunicorn ({args.workers} workers) + "
        f"{connection.vendor} ({settings.DATABASES['default']['NAME']}, scale {args.scale}, "
        f"{before:,} activities in {slug} before); think time {args.think:g} s on average; "
        + ("volunteers without the app's script" if args.classic else "volunteers in the app")
    )
    print()
    print("| requests | count | per s | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    everything = [s for values in stats.seconds.values() for s in values]
    for kind, values in [*sorted(stats.seconds.items()), ("all", everything)]:
        if values:
            print(
                f"| {kind} | {len(values)} | {len(values) / elapsed:.1f} "
                f"| {statistics.median(values) * 1000:.0f} "
                f"| {percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |"
            )
    print()
    print(
        f"requests {requests}, errors {len(stats.errors)}; answered POSTs "
        f"{len(stats.saved_keys)} with {len(keys)} distinct idempotency keys; activities "
        f"{before:,} → {after:,} (+{after - before}); lost {len(lost)}, duplicated "
        f"{len(duplicated)}, unexpected {unexpected}"
    )
    per_request = server_cpu / max(requests, 1) * 1000
    print(
        f"gunicorn used {server_cpu:.0f} CPU seconds, {per_request:.1f} ms "
        f"a request; this machine took {speed_before:.2f} s before and {speed_after:.2f} s after "
        "for sum(i * i for i in range(10**7)) (less is faster)"
    )
    for error in stats.errors[:10]:
        print("  error:", error)
    if not args.keep:
        new.delete()
    ok = not stats.errors and not lost and not duplicated and unexpected == 0
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
