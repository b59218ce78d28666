"""Background work of referrals, run by the task worker (``manage.py db_worker``)."""

from datetime import date

from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation

from core.mail import absolute_url, send_templated_mail
from programs.models import Program

from . import policies, selectors


@task
def send_referral_digest(program_id: int, today: str = "") -> int:
    """E-mail a program's coordinators the referrals waiting for follow-up, with links.

    A referral is named only by the participant's pseudonymous code, the service and its
    status: no alias, notes or outcome travel by e-mail. Nothing is sent when nothing is due.
    Returns the number of recipients.
    """
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return 0
    day = date.fromisoformat(today) if today else timezone.localdate()
    referrals = list(selectors.follow_up_referrals(program, day))
    if not referrals:
        return 0
    recipients = policies.follow_up_recipients(program)
    if not recipients:
        return 0
    with translation.override(program.default_language):
        items = [
            {
                "code": referral.participant.code,
                "provider": referral.provider.name,
                "status": referral.get_status_display(),
                "since": referral.waiting_since.isoformat(),
                "days": (day - referral.waiting_since).days,
                "url": absolute_url(reverse("referral_detail", args=[program.slug, referral.pk])),
            }
            for referral in referrals
        ]
    context = {
        "program": program,
        "items": items,
        "count": len(items),
        "list_url": absolute_url(reverse("referral_follow_up", args=[program.slug])),
    }
    return send_templated_mail(
        template="referrals/email/digest",
        context=context,
        language=program.default_language,
        to=recipients,
    )
