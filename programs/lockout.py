"""Sign-in lockout: django-axes' database handler with a limit per account, a lockout that
does not slide, the lockout page, and unlocking.

Two limits, both counted over failures less than the cool-off (``AXES_COOLOFF_TIME``) old:

- ``AXES_FAILURE_LIMIT`` failures of one user name from one address lock that name out from
  that address (axes' own ``AXES_LOCKOUT_PARAMETERS``);
- ``LOTSE_ACCOUNT_FAILURE_LIMIT`` failures of one user name from any addresses lock the
  account out from every address.

A lockout lasts the cool-off from the failure that caused it. Attempts while locked out are
refused and not recorded (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so
nobody can keep an account locked by trying on. When the account limit is reached, the
account's earlier failures are dated to that failure: all of them count until the lockout
ends, and none of them after.

Every lockout, every refused attempt and every unlock is a security event.
"""

import math

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from .security import Kind, security_event_record

LOCKOUT_TEMPLATE = "registration/locked_out.html"


def account_failure_limit() -> int:
    """Failures from any addresses that lock an account."""
    return settings.LOTSE_ACCOUNT_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes' database handler, plus the limit per account and the security
    events of lockouts."""

    def account_attempts(self, request, credentials=None):
        """The account's recorded failures from every address that still count."""
        username = get_client_username(request, credentials)
        if not username:
            return AccessAttempt.objects.none()
        return AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )

    def account_failures(self, request, credentials=None) -> int:
        attempts = self.account_attempts(request, credentials)
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def account_locked(self, request, credentials=None) -> bool:
        return self.account_failures(request, credentials) >= account_failure_limit()

    def get_failures(self, request, credentials=None) -> int:
        """The failures that decide the lockout: the user name's from this address; or, once
        the account's from all addresses reach the account limit, at least the failure limit."""
        per_address = super().get_failures(request, credentials)
        per_account = self.account_failures(request, credentials)
        if per_account >= account_failure_limit():
            return max(per_address, per_account, get_failure_limit(request, credentials))
        return per_address

    def lockout_ends(self, request, credentials=None):
        """When the lockout that refuses this request ends (the cool-off after the failure
        that caused it)."""
        if self.account_locked(request, credentials):
            attempts = self.account_attempts(request, credentials)
        else:
            attempts = self.get_user_attempts(request, credentials)[0]
        last = attempts.aggregate(last=Max("attempt_time"))["last"] or request.axes_attempt_time
        return last + get_cool_off(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """Record the failure (axes), then the lockout it caused or the refusal it was."""
        refused = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or not request.axes_locked_out:
            return
        username = get_client_username(request, credentials) or ""
        account = self.account_locked(request, credentials)
        if refused:
            security_event_record(
                kind=Kind.LOCKOUT_REFUSED,
                request=request,
                username=username,
                detail={"scope": "account" if account else "address"},
            )
        elif account:
            # All of the account's failures count until this lockout ends, none after.
            AccessAttempt.objects.filter(username=username).update(
                attempt_time=request.axes_attempt_time
            )
            security_event_record(
                kind=Kind.ACCOUNT_LOCKOUT,
                request=request,
                username=username,
                detail={"failures": request.axes_failures_since_start},
            )
        else:
            security_event_record(
                kind=Kind.LOCKOUT,
                request=request,
                username=username,
                detail={"failures": request.axes_failures_since_start},
            )


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the lockout page, saying whether the user name is locked out
    from this address or the account from every address, and for how many more minutes."""
    handler = LockoutHandler()
    remaining = handler.lockout_ends(request, credentials) - timezone.now()
    context = {
        "account": handler.account_locked(request, credentials),
        "minutes": max(1, math.ceil(remaining.total_seconds() / 60)),
    }
    return render(request, LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


def locked_out(username: str) -> bool:
    """Whether the user name is locked out, from some address or as an account."""
    attempts = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=timezone.now() - get_cool_off()
    )
    per_address = attempts.order_by().values("ip_address").annotate(n=Sum("failures_since_start"))
    if per_address.filter(n__gte=get_failure_limit(None, None)).exists():
        return True
    return (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0) >= (
        account_failure_limit()
    )


def unlock(*, username: str, by, request=None) -> int:
    """Lift the user name's lockouts from every address, and record who did. Returns how
    many recorded failures were forgotten."""
    forgotten = reset(username=username)
    security_event_record(
        kind=Kind.UNLOCKED,
        request=request,
        user=by,
        username=username,
        detail={"by": by.get_username()},
    )
    return forgotten
