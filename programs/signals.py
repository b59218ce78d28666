"""Sign-ins, failed sign-ins and sign-outs go to the security log (lockouts are recorded by
the lockout handler, programs/lockout.py, which knows what kind they are)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .middleware import SessionRenewalMiddleware
from .security import Kind, security_event_record


@receiver(user_logged_in, dispatch_uid="lotse_security_login")
def _logged_in(sender, request, user, **kwargs):
    security_event_record(kind=Kind.LOGIN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="lotse_security_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    security_event_record(kind=Kind.LOGIN_FAILED, request=request, username=username)


@receiver(user_logged_out, dispatch_uid="lotse_security_logout")
def _logged_out(sender, request, user, **kwargs):
    security_event_record(kind=Kind.LOGOUT, request=request, user=user)


@receiver(user_logged_in, dispatch_uid="lotse_session_renewed_at_login")
def _session_renewed(sender, request, user, **kwargs):
    """Signing in saves the session: the next renewal is due a minute later."""
    if request is not None and hasattr(request, "session"):
        SessionRenewalMiddleware.stamp(request.session)
