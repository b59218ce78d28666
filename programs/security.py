"""The security log: who signed in, failed, was refused or exported what, from where, when.

Every event is a :class:`~programs.models.SecurityEvent` row (coordinators read their
program's, administrators all) and a line on the ``lotse.security`` logger.
"""

import logging

from django.conf import settings

from .models import SecurityEvent

logger = logging.getLogger("lotse.security")

Kind = SecurityEvent.Kind


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the proxy's ``X-Forwarded-For`` behind one."""
    if request is None:
        return None
    if getattr(settings, "LOTSE_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def security_event_record(
    *,
    kind: str,
    request=None,
    user=None,
    username: str = "",
    program=None,
    detail: dict | None = None,
) -> SecurityEvent:
    """Record one event; ``user`` defaults to the request's signed-in user."""
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not username:
        username = user.get_username()
    if program is None and request is not None:
        program = getattr(request, "program", None)
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username[:150],
        ip_address=client_ip(request),
        program=program,
        path=request.get_full_path()[:500] if request is not None else "",
        detail=detail or {},
    )
    logger.info(
        "%s user=%s ip=%s program=%s path=%s detail=%s",
        kind,
        username or "-",
        event.ip_address or "-",
        program.slug if program else "-",
        event.path or "-",
        event.detail,
    )
    return event


def export_record(
    *,
    request,
    what: str,
    fmt: str,
    filters: dict | None = None,
    withheld: dict | None = None,
    participants=None,
) -> None:
    """Record an export: who exported what, in which format, with which filter, (where
    consent decides what goes into the file) how many records were left out, and (where the
    file holds participant-level data) the ids of the participants it holds."""
    detail = {"what": what, "format": fmt, "filters": filters or {}}
    if withheld is not None:
        detail["withheld"] = withheld
    if participants is not None:
        detail["participants"] = sorted(participants)
    security_event_record(kind=Kind.EXPORT, request=request, detail=detail)


def query_filters(request, *, exclude=("export", "page")) -> dict:
    """The filter of a list request, as recorded with its export."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in request.GET.lists()
        if key not in exclude and any(values)
    }


def import_record(*, request, what: str, counts: dict) -> None:
    """Record an import: who imported what into the program, and how many rows."""
    security_event_record(
        kind=Kind.IMPORT, request=request, detail={"what": what, "counts": counts}
    )
