"""Background work of programs, run by the task worker (``manage.py db_worker``)."""

from django.tasks import task

from .services import apply_retention


@task
def apply_retention_daily() -> dict[str, int]:
    """The daily retention run from the worker, the same as ``manage.py apply_retention``;
    returns how many participants were erased and how many log entries deleted."""
    run = apply_retention()
    return {
        "participants": run.erased,
        "audit_entries": run.logs.audit_entries,
        "security_events": run.logs.security_events,
    }
