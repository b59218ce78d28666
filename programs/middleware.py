"""Middleware of the tenant app: caching rules and the audit trail's actor and address."""

from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware

from .security import client_ip

PROGRAM_PREFIX = "/p/"


def _is_download(response) -> bool:
    return response.has_header("Content-Disposition")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every signed-in program page and on every download.

    Program pages (``/p/<slug>/…``) may show participant-level data (special category data,
    GDPR Art. 9); neither the browser's cache nor a shared proxy may keep a copy, and the
    back button after logout must not show them again. Downloads (exports, certificates,
    reports) are files the user saves deliberately, never cached copies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        scoped = request.path_info.startswith(PROGRAM_PREFIX) and user and user.is_authenticated
        if scoped or _is_download(response):
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
