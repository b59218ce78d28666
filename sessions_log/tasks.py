"""Background work of sessions_log, run by the task worker (``manage.py db_worker``)."""

from django.tasks import task
from django.urls import reverse

from core.mail import absolute_url, send_templated_mail
from programs.access import Perm, member_emails

from .models import Concern


@task
def concern_notify(concern_id: int) -> int:
    """E-mail a serious concern to the members who may acknowledge it (coordinators and
    supervisors).

    The message says only what kind of concern, how serious, in which program, and where the
    inbox is: nothing that identifies a participant travels by e-mail. Returns the number of
    recipients.
    """
    concern = Concern.objects.select_related("program").filter(pk=concern_id).first()
    if concern is None:
        return 0
    program = concern.program
    recipients = member_emails(program, Perm.ACKNOWLEDGE_CONCERNS)
    if not recipients:
        return 0
    inbox_url = absolute_url(reverse("concern_list", args=[program.slug]))
    return send_templated_mail(
        template="sessions_log/email/concern",
        context={"concern": concern, "program": program, "inbox_url": inbox_url},
        language=program.default_language,
        to=recipients,
    )
