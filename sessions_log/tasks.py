"""Background work of sessions_log, run by the task worker (``manage.py db_worker``)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from programs.models import Membership

from .models import Concern

NOTIFIED_ROLES = (Membership.Role.COORDINATOR, Membership.Role.SUPERVISOR)


@task
def concern_notify(concern_id: int) -> int:
    """E-mail a serious concern to the program's coordinators and supervisors.

    The message says only what kind of concern, how serious, in which program, and where the
    inbox is: nothing that identifies a participant travels by e-mail. Returns the number of
    recipients.
    """
    concern = Concern.objects.select_related("program").filter(pk=concern_id).first()
    if concern is None:
        return 0
    program = concern.program
    recipients = sorted(
        set(
            program.memberships.filter(role__in=NOTIFIED_ROLES)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return 0
    with translation.override(program.default_language):
        inbox_url = settings.SITE_URL + reverse("concern_list", args=[program.slug])
        context = {"concern": concern, "program": program, "inbox_url": inbox_url}
        subject = render_to_string("sessions_log/email/concern_subject.txt", context)
        body = render_to_string("sessions_log/email/concern_body.txt", context)
    # One message per person, so no one learns who else is on the list.
    for address in recipients:
        EmailMessage(subject=" ".join(subject.split()), body=body, to=[address]).send()
    return len(recipients)
