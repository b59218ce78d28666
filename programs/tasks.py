"""Background work of the tenant app, run by the task worker (``manage.py db_worker``)."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import SecurityEvent

logger = logging.getLogger("lotse.security")

Kind = SecurityEvent.Kind

# At most this many password reset e-mails go to one account, and go out on the requests of
# one client address, within RESET_WINDOW. The counts are the security log's rows, so they
# hold across app servers and workers.
RESET_WINDOW = dt.timedelta(hours=1)
RESET_MAILS_PER_ACCOUNT = 3
RESET_MAILS_PER_ADDRESS = 10


def _record(kind: str, *, user, ip_address: str | None, detail: dict) -> None:
    """A security event of the worker, which has no request: the requester's address is
    passed along from the view."""
    username = user.get_username()
    SecurityEvent.objects.create(
        kind=kind, user=user, username=username[:150], ip_address=ip_address, detail=detail
    )
    logger.info("%s user=%s ip=%s detail=%s", kind, username, ip_address or "-", detail)


def _mails_sent_since(since, **who) -> int:
    return SecurityEvent.objects.filter(
        kind=Kind.PASSWORD_RESET, created_at__gte=since, **who
    ).count()


def reset_url(user) -> str:
    """The link of a password reset e-mail: valid until the password changes or the token
    expires (``PASSWORD_RESET_TIMEOUT``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


@task
def send_password_reset(email: str, ip_address: str | None, language: str) -> int:
    """E-mail a link to set a new password to the active accounts with this address.

    The reset page enqueues this for every address anyone types, so the page takes the same
    time whether or not an account exists; an unknown address sends nothing here. No e-mail
    goes to an account that had ``RESET_MAILS_PER_ACCOUNT`` in the last ``RESET_WINDOW``, and
    none on a request from a client address whose requests brought ``RESET_MAILS_PER_ADDRESS``
    (both recorded in the security log). Returns the number of e-mails sent.
    """
    since = timezone.now() - RESET_WINDOW
    sent = 0
    for user in PasswordResetForm().get_users(email):
        if ip_address and _mails_sent_since(since, ip_address=ip_address) >= (
            RESET_MAILS_PER_ADDRESS
        ):
            limit = "address"
        elif _mails_sent_since(since, user=user) >= RESET_MAILS_PER_ACCOUNT:
            limit = "account"
        else:
            limit = None
        if limit is not None:
            _record(
                Kind.PASSWORD_RESET_LIMIT, user=user, ip_address=ip_address, detail={"limit": limit}
            )
            continue
        context = {"user": user, "url": reset_url(user)}
        with translation.override(language):
            subject = render_to_string("registration/password_reset_subject.txt", context)
            body = render_to_string("registration/password_reset_email.html", context)
        EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email]).send()
        _record(Kind.PASSWORD_RESET, user=user, ip_address=ip_address, detail={})
        sent += 1
    return sent
