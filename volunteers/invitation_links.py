"""The signed link an invitation e-mail carries: which invitation it stands for, and since when.

The e-mail (:mod:`volunteers.tasks`) writes the link; accepting it (:mod:`volunteers.services`)
reads it back.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.mail import absolute_url

INVITATION_SALT = "lotse.volunteers.invitation"


def invitation_token(invitation) -> str:
    """The signed, timestamped id of ``invitation``, as it appears in the link."""
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_url(invitation) -> str:
    """The link of the invitation e-mail."""
    return absolute_url(reverse("invitation_accept", args=[invitation_token(invitation)]))


def invitation_id(token: str) -> int:
    """The invitation id a token stands for; raises ``signing.SignatureExpired`` once the link
    is older than ``LOTSE_INVITATION_DAYS`` and ``signing.BadSignature`` for a damaged one."""
    max_age = dt.timedelta(days=settings.LOTSE_INVITATION_DAYS)
    return signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
