from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from .access import Perm, memberships_of, program_view


@login_required
def home(request):
    """The programs a user belongs to; with exactly one, go straight to it."""
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("program_home", program_slug=memberships[0].program.slug)
    return render(request, "programs/home.html", {"memberships": memberships})


@program_view(Perm.MANAGE_PROGRAM)
def site_list(request, program_slug):
    sites = request.program.sites.select_related("area").order_by("name")
    page = Paginator(sites, 50).get_page(request.GET.get("page"))
    return render(request, "programs/site_list.html", {"page": page})
