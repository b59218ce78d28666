"""Offline queue: how long 100 sessions logged without a connection take to sync.

    .venv/bin/python -m bench.offline_sync               # 100 entries, scale medium
    .venv/bin/python -m bench.offline_sync --entries 300

Against gunicorn (2 sync workers, DEBUG off) and PostgreSQL on loopback, in the database of
BENCH_LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lotse_bench_pwa, created
and seeded with the demo data of ``--scale`` if needed). A volunteer of in2balance sends
``--entries`` queued sessions to ``/p/in2balance/log/sync/`` one after the other, as
static/js/offline-queue.js does after reconnecting (each waits for the server's answer), then
sends the whole queue a second time, as a browser would whose answers were lost. It prints
the time of the first round (target < 10 s for 100 entries) and checks that every entry was
saved exactly once. The sessions are deleted afterwards. Exit status 1 if a check or the
target fails.
"""

import argparse
import datetime as dt
import http.client
import os
import re
import signal
import sys
import time
import uuid
from urllib.parse import urlencode

from bench.load import PG, PROGRAM, prepare_environment

TARGET = 10.0  # seconds for 100 entries


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--scale", choices=["small", "medium"], default="medium")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    return parser.parse_args(argv)


def request(port, method, url, cookies, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **(headers or {})}
    conn.request(method, url, body=body, headers=sent)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    return response.status, text


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("BENCH_LOAD_DATABASE_URL", PG + "lotse_bench_pwa")
    prepare_environment(args)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.pages import signed_in_client, start_gunicorn, wait_until_up
    from programs.models import Membership, Program
    from sessions_log.models import Activity
    from volunteers.models import Volunteer

    program = Program.objects.get(slug=PROGRAM)
    user, _ = get_user_model().objects.get_or_create(username="offline-sync@bench.lotse")
    Membership.objects.get_or_create(
        user=user, program=program, defaults={"role": Membership.Role.VOLUNTEER}
    )
    Volunteer.objects.get_or_create(
        program=program,
        user=user,
        defaults={
            "code": "SYNC-001",
            "name": "Offline Sync",
            "status": Volunteer.Status.ACTIVE,
            "joined_on": dt.date(2020, 1, 1),
        },
    )
    site_ids = list(program.sites.filter(active=True).values_list("pk", flat=True))
    client = signed_in_client(user)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    max_pk = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()

    today = dt.date.today()
    entries = [
        urlencode(
            {
                "idempotency_key": str(uuid.uuid4()),
                "kind": "group",
                "date": (today - dt.timedelta(days=i % 5)).isoformat(),
                "site": site_ids[i % len(site_ids)],
                "attendees_total": 6,
                "attendees_women": 2,
                "attendees_men": 2,
                "attendees_children": 2,
                "languages": ["ar"],
                "minutes": 60,
            },
            doseq=True,
        )
        for i in range(args.entries)
    ]
    server = start_gunicorn(args.port, args.workers)
    statuses = {}
    try:
        wait_until_up(args.port, server)
        status, html = request(args.port, "GET", f"/p/{PROGRAM}/log/", cookies)
        if status != 200 or "csrftoken" not in cookies:
            raise SystemExit(f"log form answered {status} without a CSRF cookie")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": cookies["csrftoken"],
            "Accept": "application/json",
        }
        url = f"/p/{PROGRAM}/log/sync/"
        rounds = []
        for _round in range(2):
            started = time.perf_counter()
            for body in entries:
                status, _text = request(args.port, "POST", url, cookies, body, headers)
                statuses[status] = statuses.get(status, 0) + 1
            rounds.append(time.perf_counter() - started)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    new = Activity.objects.filter(program=program, pk__gt=max_pk)
    keys = [re.search(r"idempotency_key=([0-9a-f-]+)", body).group(1) for body in entries]
    saved = new.filter(idempotency_key__in=keys).count()
    total = new.count()
    new.delete()
    target = TARGET * args.entries / 100
    ok = statuses == {201: args.entries, 200: args.entries} and saved == total == args.entries
    ok = ok and rounds[0] < target
    print(
        f"{args.entries} queued entries synced in {rounds[0]:.2f} s "
        f"({rounds[0] / args.entries * 1000:.0f} ms each; target < {target:.0f} s), "
        f"sent again in {rounds[1]:.2f} s; answers {dict(sorted(statuses.items()))}; "
        f"saved {saved} of {args.entries}, activities +{total}"
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
