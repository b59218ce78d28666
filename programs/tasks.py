"""Background work of programs, run by the task worker (``manage.py db_worker``)."""

from django.tasks import task

from .privacy import apply_retention


@task
def apply_retention_daily() -> int:
    """The daily retention run (queued by ``manage.py apply_retention`` or a timer); returns
    how many participants were erased."""
    return sum(len(r.deleted) + len(r.pseudonymised) for r in apply_retention())
