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


@task
def concern_acknowledged_notify(concern_id: int) -> int:
    """Tell the volunteer who raised a concern that it was acknowledged, in the program's
    language. Like the first message it names no participant and repeats nothing of what was
    written; the link leads to their own concerns. Returns the number of messages sent."""
    concern = Concern.objects.select_related("program", "raised_by").filter(pk=concern_id).first()
    if concern is None or concern.raised_by is None or not concern.raised_by.email:
        return 0
    program = concern.program
    return send_templated_mail(
        template="sessions_log/email/concern_acknowledged",
        context={
            "concern": concern,
            "program": program,
            "url": absolute_url(reverse("my_concerns", args=[program.slug])),
        },
        language=program.default_language,
        to=[concern.raised_by.email],
    )
