"""Background work of volunteers, run by the task worker (``manage.py db_worker``)."""

from django.conf import settings
from django.tasks import task

from core.mail import send_templated_mail

from .invitation_links import invitation_url
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
    context = {
        "invitation": invitation,
        "program": invitation.program,
        "name": invitation.volunteer.name,
        "url": invitation_url(invitation),
        "days": settings.LOTSE_INVITATION_DAYS,
    }
    send_templated_mail(
        template="volunteers/email/invitation",
        context=context,
        language=invitation.program.default_language,
        to=[invitation.email],
    )
    return True
