"""Middleware of the tenant app: session renewal, caching rules, the audit trail's actor and
address, and the second factor."""

import time
from urllib.parse import urlencode

from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from .security import client_ip

ACCOUNT_PREFIX = "/accounts/"


class SessionRenewalMiddleware:
    """Keeps the inactivity timeout (``SESSION_COOKIE_AGE``) with at most one session write a
    minute, instead of one on every request.

    A signed-in session is marked modified when it was last renewed a minute or more ago; the
    session middleware then saves it and sends the cookie with a new expiry. So a session ends
    between ``SESSION_COOKIE_AGE`` and that plus a minute after the last request.
    """

    INTERVAL = 60  # seconds
    KEY = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            if int(time.time()) - session.get(self.KEY, 0) >= self.INTERVAL:
                self.stamp(session)
        return response

    @classmethod
    def stamp(cls, session) -> None:
        """Mark the session renewed now (signing in renews it too)."""
        session[cls.KEY] = int(time.time())


def _is_download(response) -> bool:
    return response.has_header("Content-Disposition")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page of a signed-in user, on every account page
    and on every download.

    Program pages (``/p/<slug>/…``) may show participant-level data (special category data,
    GDPR Art. 9), the home page lists a user's programs and roles, and the account pages
    (``/accounts/…``) show a two-factor secret, carry a reset link's token or take a password:
    neither the browser's cache nor a shared proxy may keep a copy, and the back button after
    logout must not show them again. Downloads (exports, certificates, reports) are files the
    user saves deliberately, never cached copies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path_info.startswith(ACCOUNT_PREFIX) or _is_download(response):
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
            response["Pragma"] = "no-cache"
        return response


class AuditlogMiddleware(_AuditlogMiddleware):
    """django-auditlog's middleware, with the client address taken as the security log takes
    it: ``X-Forwarded-For`` only behind a proxy (``BEHIND_PROXY``), else ``REMOTE_ADDR``."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


# Pages a user who still owes the second factor may open.
TWO_FACTOR_EXEMPT = {"two_factor_setup", "two_factor_verify", "logout", "set_language"}


class TwoFactorMiddleware:
    """Sends coordinators, supervisors and staff who have not passed the second factor in this
    session (and anyone who set one up) to set it up or enter a code, before any other page.
    Comes after django-otp's ``OTPMiddleware``, which says whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .access import request_memberships
        from .two_factor import must_verify

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            step = must_verify(user, request_memberships(request))
            if step is not None and not self._exempt(request):
                url = reverse(f"two_factor_{step}")
                return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in TWO_FACTOR_EXEMPT
