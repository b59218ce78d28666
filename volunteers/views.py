from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from programs.access import Perm, program_view


@program_view(Perm.MANAGE_PROGRAM)
def volunteer_list(request, program_slug):
    volunteers = (
        request.program.volunteers.select_related("employed_by")
        .prefetch_related("languages")
        .annotate(activity_count=Count("activities"))
        .order_by("name")
    )
    page = Paginator(volunteers, 50).get_page(request.GET.get("page"))
    return render(request, "volunteers/volunteer_list.html", {"page": page})
