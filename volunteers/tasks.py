"""Background work of volunteers, run by the task worker (``manage.py db_worker``)."""

from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from . import services
from .models import Invitation


@task
def send_invitation(invitation_id: int) -> bool:
    """E-mail an invitation link, in the program's language."""
    invitation = (
        Invitation.objects.select_related("program", "volunteer", "created_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    from django.conf import settings

    context = {
        "invitation": invitation,
        "program": invitation.program,
        "name": invitation.volunteer.name,
        "url": services.invitation_url(invitation),
        "days": settings.LOTSE_INVITATION_DAYS,
    }
    with translation.override(invitation.program.default_language):
        subject = render_to_string("volunteers/email/invitation_subject.txt", context)
        body = render_to_string("volunteers/email/invitation_body.txt", context)
    EmailMessage(subject=" ".join(subject.split()), body=body, to=[invitation.email]).send()
    return True
