from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.charts import Bar, hbar_chart
from core.lists import Column
from programs.access import Perm, program_view
from programs.audit import read_or_404
from programs.lists import ProgramListView, participant_code_column
from programs.policies import can_see_participant_alias
from programs.security import import_record

from . import policies, selectors, services
from .filters import FollowUpFilter, ProviderFilter, ReferralFilter
from .forms import (
    InboundReferralForm,
    NewParticipantMode,
    PeriodForm,
    ProviderForm,
    ProviderImportConfirmForm,
    ProviderImportForm,
    ReferralEditForm,
    ReferralForm,
    TransitionForm,
)
from .importing import COLUMNS, ImportFileError, preview_providers
from .models import Referral

Status = Referral.Status
IMPORT_SALT = "referrals.provider_import"
IMPORT_MAX_AGE = 60 * 60


def add_service_error(form, error: ValidationError | PermissionDenied) -> None:
    """Show an error raised by a service on the form (on its field where the form has it)."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _days_since(moment) -> int:
    return (timezone.localdate() - timezone.localdate(moment)).days


# ---- directory ---------------------------------------------------------------------------


class ProviderListView(ProgramListView):
    permission = Perm.PROPOSE_REFERRAL
    filterset_class = ProviderFilter
    template_name = "referrals/provider_list.html"
    title = _("Service directory")
    export_basename = _("service directory")

    def get_columns(self):
        slug, program = self.program.slug, self.program
        return (
            Column(
                _("Name"),
                lambda p: p.name,
                order_by="name",
                link=lambda p: reverse("provider_detail", args=[slug, p.pk]),
            ),
            Column(_("Category"), lambda p: p.get_category_display(), order_by="category"),
            Column(_("Languages"), lambda p: [str(lang) for lang in p.languages.all()]),
            Column(_("Area"), lambda p: p.area, order_by="area"),
            Column(_("Phone"), lambda p: p.phone),
            Column(
                _("Waiting (weeks)"),
                lambda p: p.waiting_weeks,
                order_by="waiting_weeks",
                numeric=True,
            ),
            Column(_("Self-referral"), lambda p: p.accepts_self_referral),
            Column(_("Active"), lambda p: p.active),
            Column(
                _("Shared by"), lambda p: p.program.name if p.program_id != program.pk else None
            ),
        )

    def get_queryset(self):
        return selectors.provider_directory(self.program)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_manage=policies.can_manage_referrals(self.membership), **kwargs
        )


@program_view(Perm.PROPOSE_REFERRAL)
def provider_detail(request, program_slug, pk):
    program = request.program
    provider = get_object_or_404(
        selectors.providers_for(program).select_related("program", "area", "organisation"),
        pk=pk,
    )
    may_manage = policies.can_manage_referrals(request.membership)
    context = {
        "program": program,
        "provider": provider,
        "served_languages": [str(lang) for lang in provider.languages.all()],
        "own": provider.program_id == program.pk,
        "may_manage": may_manage,
    }
    if may_manage:
        context["referral_counts"] = selectors.provider_referral_counts(program, provider)
    return render(request, "referrals/provider_detail.html", context)


def _provider_form_page(request, form, provider=None):
    if request.method == "POST" and form.is_valid():
        provider = form.save()
        messages.success(request, gettext("“%(name)s” is saved.") % {"name": provider.name})
        return redirect("provider_detail", request.program.slug, provider.pk)
    return render(
        request,
        "referrals/provider_form.html",
        {"program": request.program, "form": form, "provider": provider},
    )


@program_view(Perm.MANAGE_REFERRALS)
def provider_create(request, program_slug):
    form = ProviderForm(request.POST or None, program=request.program)
    return _provider_form_page(request, form)


@program_view(Perm.MANAGE_REFERRALS)
def provider_edit(request, program_slug, pk):
    # Shared providers of other programs are read here, and edited in their own program.
    provider = get_object_or_404(request.program.providers, pk=pk)
    form = ProviderForm(request.POST or None, instance=provider, program=request.program)
    return _provider_form_page(request, form, provider)


@program_view(Perm.MANAGE_REFERRALS)
def provider_import(request, program_slug):
    """Upload → preview (counts and every error) → confirm; nothing is written before that."""
    program = request.program
    context = {"program": program, "columns": COLUMNS}
    upload = ProviderImportForm()
    if request.method == "POST" and "payload" in request.POST:
        confirm = ProviderImportConfirmForm(request.POST)
        try:
            if not confirm.is_valid():
                raise signing.BadSignature
            payload = signing.loads(
                confirm.cleaned_data["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
            )
            if payload["program"] != program.pk:
                raise signing.BadSignature
        except signing.BadSignature:
            messages.error(request, gettext("The preview has expired; upload the file again."))
            return redirect("provider_import", program.slug)
        try:
            result = services.provider_import(program=program, rows=payload["rows"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("provider_import", program.slug)
        import_record(
            request=request,
            what="service_providers",
            counts={
                "new": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        messages.success(
            request,
            gettext("Import done: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return redirect("provider_list", program.slug)
    if request.method == "POST":
        upload = ProviderImportForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                preview = preview_providers(program=program, uploaded=upload.cleaned_data["file"])
            except ImportFileError as error:
                upload.add_error("file", str(error))
            else:
                context["preview"] = preview
                if preview.valid:
                    context["confirm"] = ProviderImportConfirmForm(
                        initial={
                            "payload": signing.dumps(
                                {"program": program.pk, "rows": preview.rows},
                                salt=IMPORT_SALT,
                                compress=True,
                            )
                        }
                    )
    context["form"] = upload
    return render(request, "referrals/provider_import.html", context)


# ---- referrals ---------------------------------------------------------------------------


class ReferralListView(ProgramListView):
    permission = Perm.PROPOSE_REFERRAL
    filterset_class = ReferralFilter
    template_name = "referrals/referral_list.html"
    title = _("Referrals")
    export_basename = _("referrals")

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                _("Date"),
                lambda r: r.referred_on,
                order_by="referred_on",
                link=lambda r: reverse("referral_detail", args=[slug, r.pk]),
            ),
            participant_code_column(
                _("Participant"), lambda r: r.participant, order_by="participant"
            ),
            Column(_("Direction"), lambda r: r.get_direction_display(), order_by="direction"),
            Column(_("Category"), lambda r: r.get_category_display(), order_by="category"),
            Column(_("Service"), lambda r: r.provider.name, order_by="provider"),
            Column(_("Status"), lambda r: r.get_status_display(), order_by="status"),
            Column(_("Urgency"), lambda r: r.get_urgency_display(), order_by="urgency"),
            Column(
                _("Days since last change"),
                lambda r: _days_since(r.updated_at),
                order_by="days",
                numeric=True,
            ),
        )

    def get_queryset(self):
        return selectors.referral_list(self.program, self.membership)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            may_manage=policies.can_manage_referrals(self.membership), **kwargs
        )


class FollowUpListView(ProgramListView):
    permission = Perm.MANAGE_REFERRALS
    filterset_class = FollowUpFilter
    template_name = "referrals/follow_up_list.html"
    title = _("Referrals to follow up")
    export_basename = _("referrals to follow up")

    def get_columns(self):
        slug = self.program.slug
        return (
            Column(
                _("Waiting since"),
                lambda r: r.waiting_since,
                order_by="waiting_since",
                link=lambda r: reverse("referral_detail", args=[slug, r.pk]),
            ),
            Column(
                _("Days"), lambda r: (timezone.localdate() - r.waiting_since).days, numeric=True
            ),
            participant_code_column(
                _("Participant"), lambda r: r.participant, order_by="participant"
            ),
            Column(_("Service"), lambda r: r.provider.name, order_by="provider"),
            Column(_("Status"), lambda r: r.get_status_display(), order_by="status"),
            Column(_("Urgency"), lambda r: r.get_urgency_display(), order_by="urgency"),
            Column(_("Direction"), lambda r: r.get_direction_display()),
        )

    def get_queryset(self):
        return selectors.follow_up_referrals(self.program, timezone.localdate())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            follow_up_days=self.program.referral_follow_up_days, **kwargs
        )


def _visible_referral(request, pk) -> Referral:
    """The referral if the user may follow it; 404 otherwise: for another program's referral
    as for one another volunteer made (:func:`referrals.policies.visible_referrals`). The read
    is logged, and a refusal is a security event."""
    return read_or_404(
        policies.visible_referrals(request.program, request.membership).select_related(
            "program", "participant", "provider", "match__volunteer", "created_by"
        ),
        pk=pk,
    )


def _activity_for(request, activity_id):
    activities = policies.referral_activities(request.program, request.membership)
    try:
        return activities.get(pk=int(activity_id))
    except (ValueError, TypeError, activities.model.DoesNotExist) as error:
        raise Http404 from error


@program_view(Perm.PROPOSE_REFERRAL)
def referral_create(request, program_slug):
    """An outbound referral: ``?participant=<pk>`` picks the person, ``?activity=<pk>`` offers
    the participants of a session just logged."""
    program, membership = request.program, request.membership
    participants = policies.referable_participants(program, membership)
    activity = None
    if request.GET.get("activity"):
        activity = _activity_for(request, request.GET["activity"])
        in_activity = participants.filter(pk__in=activity.participants.values("pk"))
        if in_activity.exists():
            participants = in_activity
    initial = {}
    chosen = request.GET.get("participant")
    if chosen is None and activity is not None and participants.count() == 1:
        chosen = participants.first().pk
    if chosen:
        participant = participants.filter(pk=chosen).first() if str(chosen).isdigit() else None
        if participant is None:
            raise Http404
        initial["participant"] = participant.pk
        if participant.consent_scope in services.REFERRAL_SCOPES and participant.consent_on:
            initial.update(consent_to_share=True, consent_on=participant.consent_on)
    if str(request.GET.get("provider", "")).isdigit():
        initial["provider"] = int(request.GET["provider"])
    form = ReferralForm(
        request.POST or None,
        initial=initial,
        program=program,
        membership=membership,
        participants=participants,
    )
    can_send = policies.can_send_referrals(program, membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        send = can_send and request.POST.get("action") == "send"
        try:
            referral = services.referral_create(
                program=program,
                participant=data["participant"],
                provider=data["provider"],
                by=request.user,
                category=data["category"],
                urgency=data["urgency"],
                referred_on=data["referred_on"],
                consent_on=form.consent,
                note=data["note"],
                send=send,
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            if send:
                message = gettext("The referral is sent.")
            else:
                message = gettext("The referral is proposed.")
            messages.success(request, message)
            return redirect("referral_detail", program.slug, referral.pk)
    return render(
        request,
        "referrals/referral_form.html",
        {
            "program": program,
            "form": form,
            "can_send": can_send,
            "activity": activity,
            "no_participants": not participants.exists(),
        },
    )


@program_view(Perm.MANAGE_REFERRALS)
def referral_inbound_create(request, program_slug):
    program = request.program
    form = InboundReferralForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_participant = None
        if data["who"] == NewParticipantMode.NEW:
            new_participant = services.NewParticipant(
                year_of_birth=data["year_of_birth"],
                gender=data["gender"],
                consent_on=data["consent_on"] if data["consent_scope"] else None,
                consent_scope=data["consent_scope"],
                country_of_origin=data["country_of_origin"] or "",
                languages=list(data["languages"]),
            )
        try:
            referral = services.referral_inbound_create(
                program=program,
                provider=data["provider"],
                by=request.user,
                participant=data["participant"] if new_participant is None else None,
                new_participant=new_participant,
                category=data["category"],
                urgency=data["urgency"],
                referred_on=data["referred_on"],
                ref=data["ref"],
                note=data["note"],
                match_volunteer=data["volunteer"] if data["start_match"] else None,
                matching_notes=data["matching_notes"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                gettext("The referral of %(code)s is recorded.")
                % {"code": referral.participant.code},
            )
            return redirect("referral_detail", program.slug, referral.pk)
    return render(
        request, "referrals/referral_inbound_form.html", {"program": program, "form": form}
    )


@program_view(Perm.PROPOSE_REFERRAL)
def referral_detail(request, program_slug, pk):
    """A referral, its history, and its next steps as forms (each carrying the version)."""
    program, membership = request.program, request.membership
    referral = _visible_referral(request, pk)
    notes = policies.sees_referral_notes(membership)
    submitted, status = None, 200
    if request.method == "POST":
        to_status = request.POST.get("to_status", "")
        if to_status not in Status.values or to_status == Status.PROPOSED:
            raise Http404
        submitted = TransitionForm(
            request.POST, referral=referral, to_status=to_status, with_outcome=notes
        )
        if submitted.is_valid():
            data = submitted.cleaned_data
            try:
                services.referral_transition(
                    referral=referral,
                    to_status=to_status,
                    by=request.user,
                    note=data["note"],
                    appointment_on=data.get("appointment_on"),
                    expected_version=data["version"],
                    consent_on=submitted.consent if "consent_on" in submitted.fields else None,
                    outcome=data.get("outcome"),
                )
            except services.ReferralConflict as error:
                # Keep what was typed, show the current state, and let them decide again.
                referral = _visible_referral(request, pk)
                data = request.POST.copy()
                data[submitted.add_prefix("version")] = referral.version
                submitted = TransitionForm(
                    data, referral=referral, to_status=to_status, with_outcome=notes
                )
                submitted.is_valid()
                submitted.add_error(None, error)
                status = 409
            except (ValidationError, PermissionDenied) as error:
                add_service_error(submitted, error)
            else:
                messages.success(
                    request,
                    gettext("The referral is now “%(status)s”.")
                    % {"status": Status(to_status).label},
                )
                return redirect("referral_detail", program.slug, referral.pk)
    steps = services.permitted_next_statuses(referral, membership)
    step_forms = [
        submitted
        if submitted is not None and submitted.step == step
        else TransitionForm(referral=referral, to_status=step, with_outcome=notes)
        for step in steps
    ]
    context = {
        "program": program,
        "referral": referral,
        "events": selectors.referral_history(referral),
        "step_forms": step_forms,
        "unsaved": submitted if submitted is not None and submitted.step not in steps else None,
        "may_manage": policies.can_manage_referrals(membership),
        "may_read_notes": notes,
        "may_see_alias": can_see_participant_alias(membership),
        "days_since_change": _days_since(referral.updated_at),
    }
    return render(request, "referrals/referral_detail.html", context, status=status)


@program_view(Perm.MANAGE_REFERRALS)
def referral_edit(request, program_slug, pk):
    program = request.program
    referral = _visible_referral(request, pk)
    form = ReferralEditForm(request.POST or None, referral=referral)
    status, conflict = 200, False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_update(
                referral=referral,
                by=request.user,
                expected_version=data["version"],
                provider=data["provider"],
                category=data["category"],
                urgency=data["urgency"],
                referred_on=data["referred_on"],
                consent_on=form.consent,
                ref=data["ref"],
                outcome=data["outcome"],
            )
        except services.ReferralConflict as error:
            referral = _visible_referral(request, pk)
            posted = request.POST.copy()
            posted["version"] = referral.version
            form = ReferralEditForm(posted, referral=referral)
            form.is_valid()
            form.add_error(None, error)
            status, conflict = 409, True
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("The referral is saved."))
            return redirect("referral_detail", program.slug, referral.pk)
    return render(
        request,
        "referrals/referral_edit.html",
        {"program": program, "referral": referral, "form": form, "conflict": conflict},
        status=status,
    )


@program_view(Perm.MANAGE_REFERRALS)
def referral_stats(request, program_slug):
    program = request.program
    form = PeriodForm(request.GET or None)
    date_from, date_to = form.period
    figures = selectors.referral_figures(program, date_from=date_from, date_to=date_to)
    statuses = [(value, label) for value, label in Status.choices]
    category_rows = [
        {
            "label": row.label,
            "total": row.total,
            "counts": [row.by_status.get(value, 0) for value, _label in statuses],
        }
        for row in figures.by_category
    ]
    category_chart = hbar_chart(
        title=_("Referrals by category"),
        bars=[
            Bar(label=row.label, value=row.total, description=f"{row.label}: {row.total}")
            for row in figures.by_category
        ],
        chart_id="referrals-by-category",
    )
    status_chart = hbar_chart(
        title=_("Referrals by status"),
        bars=[
            Bar(label=str(label), value=n, description=f"{label}: {n}")
            for (value, label), n in zip(
                statuses, [figures.by_status.get(v, 0) for v, _label in statuses], strict=True
            )
        ],
        chart_id="referrals-by-status",
    )
    return render(
        request,
        "referrals/stats.html",
        {
            "program": program,
            "form": form,
            "figures": figures,
            "category_chart": category_chart if figures.by_category else None,
            "status_chart": status_chart if figures.overall.total else None,
            "statuses": statuses,
            "status_totals": [figures.by_status.get(value, 0) for value, _label in statuses],
            "category_rows": category_rows,
        },
    )
