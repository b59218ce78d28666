"""Writes of the programs app that do more than ``form.save()``."""

import datetime as dt

from django.db import transaction

from .models import Site, SiteOccupancy


@transaction.atomic
def site_occupancy_record(
    *, site: Site, date: dt.date, residents: int
) -> tuple[SiteOccupancy, bool]:
    """Record how many people live at a site on a date; recording that date again updates it.

    Returns the occupancy and whether it is new. Residents above the site's capacity are
    recorded as counted (shelters do get overcrowded); the pages flag them.
    """
    # Field checks here; the one-per-day rule is kept by update_or_create, which also copes
    # with two people recording the same day at the same moment.
    SiteOccupancy(site=site, date=date, residents=residents).full_clean(
        validate_unique=False, validate_constraints=False
    )
    return SiteOccupancy.objects.update_or_create(
        site=site, date=date, defaults={"residents": residents}
    )
