from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from programs.access import Perm
from programs.lists import Column, ProgramListView

from .filters import VolunteerFilter


class VolunteerListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = VolunteerFilter
    title = _("Volunteers")
    export_basename = _("volunteers")
    columns = (
        Column(_("Code"), lambda v: v.code, order_by="code"),
        Column(_("Name"), lambda v: v.name, order_by="name"),
        Column(_("Status"), lambda v: v.get_status_display(), order_by="status"),
        Column(_("Languages"), lambda v: [str(lang) for lang in v.languages.all()]),
        Column(_("Joined on"), lambda v: v.joined_on, order_by="joined_on"),
        Column(_("Employed by"), lambda v: v.employed_by),
        Column(_("Activities"), lambda v: v.activity_count, order_by="activities", numeric=True),
    )

    def get_queryset(self):
        return (
            self.program.volunteers.select_related("employed_by")
            .prefetch_related("languages")
            .annotate(activity_count=Count("activities"))
            .order_by("name")
        )
