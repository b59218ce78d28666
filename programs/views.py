from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from .access import Perm, memberships_of
from .filters import SiteFilter
from .lists import Column, ProgramListView


@login_required
def home(request):
    """The programs a user belongs to; with exactly one, go straight to it."""
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("program_home", program_slug=memberships[0].program.slug)
    return render(request, "programs/home.html", {"memberships": memberships})


class SiteListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = SiteFilter
    title = _("Sites")
    export_basename = _("sites")
    columns = (
        Column(_("Name"), lambda s: s.name, order_by="name"),
        Column(_("Kind"), lambda s: s.get_kind_display(), order_by="kind"),
        Column(_("Area"), lambda s: s.area, order_by="area"),
        Column(_("City"), lambda s: s.city, order_by="city"),
        Column(_("Capacity"), lambda s: s.capacity, order_by="capacity", numeric=True),
        Column(_("Active"), lambda s: s.active),
    )

    def get_queryset(self):
        return self.program.sites.select_related("area").order_by("name")
