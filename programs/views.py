import functools
from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, UpdateView
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.charts import Bar, ReferenceLine, bar_chart
from core.lists import Column

from . import audit, lockout, selectors, services, tasks, two_factor
from .access import (
    Perm,
    ProgramScopedMixin,
    has_perm,
    organisation_memberships_of,
    program_view,
    request_memberships,
)
from .filters import AreaFilter, AuditTrailFilter, SecurityEventFilter, SiteFilter
from .forms import AreaForm, OccupancyForm, SiteForm, TokenForm
from .lists import ProgramListView
from .models import Area, SecurityEvent, Site
from .security import client_ip, security_event_record
from .selectors import CaseloadStatus


@login_required
def home(request):
    """The programs a user belongs to; with exactly one, go straight to it."""
    memberships = request_memberships(request)
    organisations = list(organisation_memberships_of(request.user))
    if len(memberships) == 1 and not organisations:
        return redirect("program_home", program_slug=memberships[0].program.slug)
    if len(organisations) == 1 and not memberships:
        return redirect("organisation_home", organisation_slug=organisations[0].organisation.slug)
    downloads = [m for m in memberships if has_perm(m, Perm.DOWNLOAD_REPORTS)]
    context = {
        "memberships": memberships,
        "organisations": organisations,
        "reports_across": len(downloads) > 1,
    }
    return render(request, "programs/home.html", context)


# ---- sites -----------------------------------------------------------------------------------


def _site_url(site: Site) -> str:
    return reverse("site_detail", args=[site.program.slug, site.pk])


class SiteListView(ProgramListView):
    permission = Perm.MANAGE_PROGRAM
    filterset_class = SiteFilter
    template_name = "programs/site_list.html"
    title = _("Sites")
    export_basename = _("sites")
    columns = (
        Column(_("Name"), lambda s: s.name, order_by="name", link=_site_url),
        Column(_("Kind"), lambda s: s.get_kind_display(), order_by="kind"),
        Column(_("Area"), lambda s: s.area, order_by="area"),
        Column(_("City"), lambda s: s.city, order_by="city"),
        Column(_("Capacity"), lambda s: s.capacity, order_by="capacity", numeric=True),
        Column(_("Residents"), lambda s: s.current_residents, order_by="residents", numeric=True),
        Column(_("Counted on"), lambda s: s.occupancy_date, order_by="counted"),
        Column(_("Active"), lambda s: s.active),
    )

    def get_queryset(self):
        return (
            selectors.sites_with_occupancy(self.program)
            .select_related("area", "program")
            .order_by("name")
        )


class _ProgramFormMixin(ProgramScopedMixin, SuccessMessageMixin):
    permission = Perm.MANAGE_PROGRAM
    template_name = "programs/form_page.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}


class SiteCreateView(_ProgramFormMixin, CreateView):
    model = Site
    form_class = SiteForm
    extra_context = {"title": _("New site")}

    success_message = _("Site “%(name)s” created.")

    def get_success_url(self):
        return _site_url(self.object)


class SiteEditView(_ProgramFormMixin, UpdateView):
    form_class = SiteForm
    extra_context = {"title": _("Edit site")}

    def get_queryset(self):
        return self.program.sites.all()

    success_message = _("Site “%(name)s” saved.")

    def get_success_url(self):
        return _site_url(self.object)


@program_view(Perm.MANAGE_PROGRAM)
def site_detail(request, program_slug, pk):
    """A site, its occupancy over time, and a form to record today's count."""
    site = get_object_or_404(request.program.sites.select_related("area"), pk=pk)
    if request.method == "POST":
        form = OccupancyForm(request.POST)
        if form.is_valid():
            occupancy, created = services.site_occupancy_record(site=site, **form.cleaned_data)
            values = {
                "residents": occupancy.residents,
                "date": date_format(occupancy.date, "SHORT_DATE_FORMAT"),
            }
            if created:
                message = gettext("Recorded %(residents)s residents on %(date)s.") % values
            else:
                message = gettext("Updated the count of %(date)s to %(residents)s residents.") % (
                    values
                )
            messages.success(request, message)
            if site.capacity is not None and occupancy.residents > site.capacity:
                messages.warning(
                    request,
                    gettext("That is above the site's capacity of %(capacity)s places.")
                    % {"capacity": site.capacity},
                )
            return redirect(_site_url(site))
    else:
        form = OccupancyForm()
    history = selectors.site_occupancy_history(site)
    return render(
        request,
        "programs/site_detail.html",
        {
            "program": request.program,
            "site": site,
            "form": form,
            "history": list(reversed(history)),
            "chart": occupancy_chart(site, history),
        },
    )


def occupancy_chart(site: Site, history) -> SafeString:
    """Residents by date as a bar chart, with the capacity as a dashed line.

    Bars above capacity are drawn in the alert colour; the table beside the chart says so in
    words.
    """
    if not history:
        return SafeString("")
    capacity = site.capacity
    bars = [
        Bar(
            label=date_format(o.date, "j M"),
            value=o.residents,
            description=f"{date_format(o.date, 'SHORT_DATE_FORMAT')}: {o.residents}",
            alert=capacity is not None and o.residents > capacity,
        )
        for o in history
    ]
    reference = None
    if capacity:
        reference = ReferenceLine(
            capacity, gettext("Capacity %(capacity)s") % {"capacity": capacity}
        )
    return bar_chart(
        title=gettext("Residents of %(site)s by date") % {"site": site.name},
        bars=bars,
        chart_id="occupancy",
        reference=reference,
        max_labels=6,
        show_values=False,
    )


# ---- areas -----------------------------------------------------------------------------------


def _fte(value: Decimal) -> Decimal:
    """Full-time equivalents without trailing zeros: 1, 1.5, 0.75."""
    return Decimal(f"{value:.2f}".rstrip("0").rstrip("."))


def _per_staff(area: Area) -> int | str:
    if area.residents_per_staff is None:
        return gettext("no staff")
    return round(area.residents_per_staff)


STATUS_BADGES = {CaseloadStatus.OVER: "danger", CaseloadStatus.NO_STAFF: "warning"}


class AreaListView(ProgramListView):
    """Areas and caseload: residents per full-time staff against each area's target."""

    permission = Perm.MANAGE_PROGRAM
    filterset_class = AreaFilter
    template_name = "programs/area_list.html"
    title = _("Areas and caseload")
    export_basename = _("areas")
    # The caseload comes right after the name, so a phone shows it without scrolling sideways.
    columns = (
        Column(
            _("Area"),
            lambda a: a.name,
            order_by="name",
            link=lambda a: reverse("area_edit", args=[a.program.slug, a.pk]),
        ),
        Column(
            _("Caseload"),
            lambda a: CaseloadStatus(a.caseload_status).label,
            order_by="status",
            badge=lambda a: STATUS_BADGES.get(a.caseload_status),
        ),
        Column(_("Residents per full-time staff"), _per_staff, order_by="ratio", numeric=True),
        Column(
            _("Target"),
            lambda a: f"1:{a.caseload_ratio_target}" if a.caseload_ratio_target else None,
            order_by="target",
            numeric=True,
        ),
        Column(
            _("Current residents"),
            lambda a: a.current_residents,
            order_by="residents",
            numeric=True,
        ),
        Column(_("Full-time staff"), lambda a: _fte(a.staff_fte), order_by="staff", numeric=True),
        Column(
            _("Sites"),
            lambda a: a.site_count,
            order_by="sites",
            numeric=True,
            link=lambda a: reverse("site_list", args=[a.program.slug]) + f"?area={a.pk}",
        ),
    )

    def get_queryset(self):
        return (
            selectors.areas_with_caseload(self.program).select_related("program").order_by("name")
        )

    def row_css(self, area) -> str:
        return "table-danger" if area.caseload_status == CaseloadStatus.OVER else ""


class AreaCreateView(_ProgramFormMixin, CreateView):
    model = Area
    form_class = AreaForm
    extra_context = {"title": _("New area")}

    success_message = _("Area “%(name)s” created.")

    def get_success_url(self):
        return reverse("area_list", args=[self.program.slug])


class AreaEditView(_ProgramFormMixin, UpdateView):
    form_class = AreaForm
    extra_context = {"title": _("Edit area")}

    def get_queryset(self):
        return self.program.areas.all()

    success_message = _("Area “%(name)s” saved.")

    def get_success_url(self):
        return reverse("area_list", args=[self.program.slug])


# ---- audit trail and security log ------------------------------------------------------------

ACTION_BADGES = {0: "success", 1: "primary", 2: "danger", 3: "secondary"}
# django-auditlog's own names of its actions ("create", "access") have no German or Danish.
ACTION_LABELS = {0: _("Created"), 1: _("Changed"), 2: _("Deleted"), 3: _("Opened")}


@functools.cache
def _list_title(url_name: str):
    """The (lazily translated) title of the list page ``url_name``, or None."""
    try:
        match = resolve(reverse(url_name, kwargs={"program_slug": "x"}))
    except NoReverseMatch:
        return None
    return getattr(getattr(match.func, "view_class", None), "title", None)


def _record_name(entry) -> str:
    """What an entry is about. A page of a list was stored with its title in the language of
    whoever opened it; it is named here in the reader's language."""
    data = entry.additional_data or {}
    if not entry.object_pk and data.get("list"):
        title = _list_title(str(data["list"]))
        if title:
            return str(title)
    return entry.object_repr


def _local_time(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _iso(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _changed_fields(entry) -> str:
    """The names of the fields an entry changed; never their values (those may be health data)."""
    changes = entry.changes_dict if entry.changes else {}
    if not changes:
        return ""
    model = entry.content_type.model_class()
    names = []
    for name in changes:
        try:
            names.append(str(model._meta.get_field(name).verbose_name))
        except Exception:  # a field removed since
            names.append(name)
    return ", ".join(names)


class AuditTrailView(ProgramListView):
    """Who created, changed, deleted or opened which record of the program. Read-only."""

    permission = Perm.VIEW_AUDIT_LOG
    filterset_class = AuditTrailFilter
    template_name = "programs/audit_list.html"
    title = _("Audit trail")
    export_basename = _("audit-trail")
    columns = (
        Column(_("Time"), lambda e: _local_time(e.timestamp), exported=lambda e: _iso(e.timestamp)),
        Column(_("User"), lambda e: e.actor or e.actor_email or "—"),
        Column(
            _("Action"),
            lambda e: ACTION_LABELS.get(e.action, e.get_action_display()),
            badge=lambda e: ACTION_BADGES.get(e.action, "secondary"),
        ),
        Column(_("Record type"), lambda e: e.content_type.model_class()._meta.verbose_name),
        Column(_("Record"), _record_name),
        Column(_("Changed fields"), _changed_fields),
        Column(_("IP address"), lambda e: e.remote_addr),
    )

    def get_queryset(self):
        return audit.program_trail(self.program)


class SecurityLogView(ProgramListView):
    """Sign-ins, refusals, lockouts and exports concerning the program. Read-only."""

    permission = Perm.VIEW_AUDIT_LOG
    filterset_class = SecurityEventFilter
    template_name = "programs/audit_list.html"
    title = _("Security log")
    export_basename = _("security-log")
    columns = (
        Column(
            _("Time"), lambda e: _local_time(e.created_at), exported=lambda e: _iso(e.created_at)
        ),
        Column(_("Event"), lambda e: e.get_kind_display()),
        Column(_("User"), lambda e: e.username),
        Column(_("IP address"), lambda e: e.ip_address),
        Column(_("Address"), lambda e: e.path),
        Column(_("Detail"), lambda e: _detail_text(e.detail)),
    )

    def get_queryset(self):
        return selectors.security_events_of(self.program)


def _detail_text(detail: dict) -> str:
    return "; ".join(f"{key}: {value}" for key, value in (detail or {}).items())


@require_POST
@program_view(Perm.MANAGE_PROGRAM)
def member_unlock(request, program_slug, user_pk):
    """Lift a member's sign-in lockout (from every address) before its cool-off ends. Staff
    accounts are unlocked in the admin."""
    membership = get_object_or_404(
        request.program.memberships.select_related("user").filter(user__is_staff=False),
        user_id=user_pk,
    )
    user = membership.user
    lockout.unlock(username=user.get_username(), by=request.user, request=request)
    messages.success(
        request,
        _("%(name)s can sign in again.") % {"name": user.get_full_name() or user.get_username()},
    )
    return redirect(_next_url(request))


# ---- two-factor authentication -----------------------------------------------------------------


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    if user.is_verified():
        messages.info(request, _("Two-factor authentication is already set up."))
        return redirect(_next_url(request))
    if user_has_device(user, confirmed=True):
        return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=gettext("Authenticator app"), confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            security_event_record(kind=SecurityEvent.Kind.OTP_ENROLLED, request=request)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_next_url(request))
        security_event_record(kind=SecurityEvent.Kind.OTP_FAILED, request=request)
        form.add_error("token", _("That code is not right. Check the time on your phone."))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device.config_url),
            "secret": two_factor.secret_text(device),
            "next": _next_url(request),
            "required": two_factor.role_requires_two_factor(user),
        },
    )


@login_required
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator app."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        security_event_record(kind=SecurityEvent.Kind.OTP_FAILED, request=request)
        form.add_error("token", _("That code is not right. Wait for the next one and try again."))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


# ---- password reset and refused forms -----------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgot your password" page, with the e-mail sent by the task worker.

    The page does the same for every address: it hands the address to
    :func:`programs.tasks.send_password_reset` and answers "check your e-mail". Whether an
    account exists, whether an e-mail goes out or is held back by the limits, is decided in the
    worker, so neither the answer nor its timing tells.
    """

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        transaction.on_commit(
            partial(
                tasks.send_password_reset.enqueue,
                email,
                client_ip(self.request),
                translation.get_language(),
            )
        )
        return HttpResponseRedirect(self.get_success_url())


def csrf_failure(request, reason=""):
    """The page of a form refused for a missing or out-of-date security token (CSRF): says
    what happened and what to do, in the user's language (``CSRF_FAILURE_VIEW``)."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    context = {"back_url": back, "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)
