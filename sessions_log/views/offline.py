"""The volunteer's pages as an installable web app that logs sessions without a connection.

- ``/sw.js``: the service worker (``static/js/service-worker.js`` with Workbox), told which
  static files to keep and which pages it may keep a copy of for the signed-in volunteer;
- ``/manifest.webmanifest``: the web app manifest;
- ``/p/<slug>/log/sync/``: where the log form's script sends every session it saves (first
  kept in the browser's queue, online or not), one at a time, and learns for each whether it
  was saved, was saved before (its idempotency key), or was refused and why. A saved answer
  carries what the page shows in place of the next page a classic post would land on: its
  ``message``, further ``notes`` and ``links`` (``{text, url}``).
"""

import functools
import hashlib
import json
import uuid

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from programs.access import Perm, program_view
from programs.models import ActivityKind

from .. import policies, selectors, services
from ..forms import ActivityForm
from .common import OFFLINE_HEADER, activity_form_kwargs

# What the log form needs offline, kept by the service worker when it is installed.
APP_SHELL = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/idb/umd.js",
    "css/lotse.css",
    "js/keep-entry.js",
    "js/offline.js",
    "js/log-session.js",
    "js/offline-queue.js",
    "icons/lotse-192.png",
)
# The pages of the app (relative to /p/<slug>/) the service worker may keep.
OFFLINE_PAGES = ("log/", "my-sessions/")


@functools.cache
def _revision(name: str) -> str | None:
    """None where the URL names the file's content (hashed in production), else a hash of it."""
    url = static(name)
    if not url.endswith("/" + name):
        return None
    path = finders.find(name)
    if path is None:
        return None
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:16]


@require_GET
@never_cache
def service_worker(request):
    config = {
        "workbox": static("vendor/workbox/workbox-sw.js"),
        "workboxModules": static("vendor/workbox/workbox-sw.js").rsplit("/", 1)[0],
        "shell": [{"url": static(name), "revision": _revision(name)} for name in APP_SHELL],
        "static": settings.STATIC_URL
        if settings.STATIC_URL.startswith("/")
        else "/" + settings.STATIC_URL,
        "catalog": reverse("javascript_catalog"),
        "pages": "^/p/[^/]+/(" + "|".join(p.rstrip("/") for p in OFFLINE_PAGES) + ")/$",
        "header": OFFLINE_HEADER,
    }
    script = (
        f"self.LOTSE_SW = {json.dumps(config)};\n"
        f"importScripts({json.dumps(static('js/service-worker.js'))});\n"
    )
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def web_manifest(request):
    manifest = {
        "name": "Lotse",
        "short_name": "Lotse",
        "description": _("Log your sessions, also without a connection."),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "icons": [
            {
                "src": static(f"icons/lotse-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ]
        + [
            {
                "src": static("icons/lotse-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            }
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _refused(message: str, errors=(), status: int = 422):
    return JsonResponse(
        {"status": "refused", "message": message, "errors": list(errors)}, status=status
    )


def _form_messages(form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        for error in errors:
            messages.append(f"{label}: {error}" if label else str(error))
    return messages


@require_POST
@program_view(Perm.LOG_ACTIVITY)
def activity_sync(request, program_slug):
    """Save one session sent from the browser's queue; answer in JSON.

    201 saved, 200 saved before (the same idempotency key: nothing is written again), 422
    refused with the form's messages (403 without a volunteer profile, 409 for another user's
    key). The browser shows a saved answer in place; a refused one it posts again the classic
    way, so that the log form shows the errors at their fields. The answer itself tells the
    page what was saved: nothing goes into the sign-in's list of saved entries (that list is
    for copies keep-entry.js keeps of classic posts), so the session is not written again.
    """
    program = request.program
    coordinator = policies.coordinates(request.membership)
    volunteer = selectors.volunteer_of(program, request.user)
    if volunteer is None and not coordinator:
        return _refused(_("You have no volunteer profile in this program."), status=403)
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return _refused(_("This entry cannot be sent: it has no valid key. Please log it again."))
    form = ActivityForm(request.POST, **activity_form_kwargs(request, volunteer))
    if not form.is_valid():
        return _refused_unless_saved(request, key, _form_messages(form))
    concern = form.concern_data()
    try:
        activity, created = services.activity_log(
            program=program,
            user=request.user,
            volunteer=None if coordinator else volunteer,
            idempotency_key=key,
            concern=concern,
            **form.activity_data(),
        )
    except ValidationError as error:
        return _refused_unless_saved(request, key, error.messages)
    if not created:  # the same key was saved before (the database's unique key says so)
        return _saved_before(request, activity)
    notes = []
    if concern is not None:
        notes.append(_("Your concern was passed on to the coordinators and supervisors."))
    return JsonResponse(
        {
            "status": "saved",
            "message": _("Your session was saved. Thank you!"),
            "notes": notes,
            "links": _next_steps(request, activity),
            "url": reverse("activity_edit", args=[program.slug, activity.pk]),
        },
        status=201,
    )


def _refused_unless_saved(request, key, messages):
    """A refused entry whose key was saved before is confirmed, not refused: what is saved
    is not checked again (a site closed since, say, does not refuse it). Looked up only
    here: a valid entry's key is settled by the database's unique key as it is saved."""
    existing = services.activity_logged_with(request.program, key)
    if existing is not None:
        return _saved_before(request, existing)
    return _refused(_("The session was not saved. Please correct it and send it again."), messages)


def _saved_before(request, activity):
    """The answer to an entry whose key was saved before: 200, or 409 for another user's key."""
    if activity.logged_by_id != request.user.pk:
        return _refused(_("This entry cannot be sent: its key was used before."), status=409)
    return JsonResponse(
        {
            "status": "saved",
            "message": _("This session was already saved."),
            "notes": [],
            "links": _next_steps(request, activity),
        },
        status=200,
    )


def _next_steps(request, activity) -> list[dict]:
    """Where a volunteer may go from a saved session: the links the page shows with the answer,
    as the classic post's next page offers them (``activity_log``, ``my_sessions``)."""
    slug = request.program.slug
    links = []
    if activity.kind in ActivityKind.individual() and policies.may_propose_referral(
        request.membership
    ):
        # Right after a one-to-one is the moment to refer someone on (the referrals app
        # names the page; sessions_log does not import it).
        try:
            referral = reverse("referral_create", args=[slug])
        except NoReverseMatch:
            pass
        else:
            links.append(
                {
                    "text": _("Refer someone to a service"),
                    "url": f"{referral}?activity={activity.pk}",
                }
            )
    links.append({"text": _("My sessions"), "url": reverse("my_sessions", args=[slug])})
    return links
