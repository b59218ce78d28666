from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs.access import Perm, program_view
from programs.security import export_record

from . import generation, policies, selectors, services
from .forms import ReportForm
from .models import Report
from .pdf import report_context


def _manages(request) -> bool:
    return policies.can_manage_reports(request.membership)


def _reports(request):
    return policies.visible_reports(request.program, request.membership)


def _report(request, pk) -> Report:
    return get_object_or_404(
        _reports(request).select_related("program__lead_organisation", "grant__funder"), pk=pk
    )


@program_view(Perm.DOWNLOAD_REPORTS)
def report_list(request, program_slug):
    reports = (
        _reports(request)
        .select_related("grant__funder", "previous")
        .order_by("-period_end", "-version", "-pk")
    )
    return render(
        request,
        "reports/report_list.html",
        {"program": request.program, "reports": reports, "manages": _manages(request)},
    )


def _initial_period(program):
    """Last calendar year, or the program's first year if it started since."""
    today = timezone.localdate()
    start = today.replace(year=today.year - 1, month=1, day=1)
    end = today.replace(year=today.year - 1, month=12, day=31)
    return {
        "period_start": max(start, program.starts_on),
        "period_end": max(end, program.starts_on),
        "language": program.default_language,
    }


@program_view(Perm.MANAGE_REPORTS)
def report_create(request, program_slug):
    program = request.program
    form = ReportForm(request.POST or None, program=program, initial=_initial_period(program))
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.created_by = request.user
        report.save()
        messages.success(request, _("Report “%(title)s” created.") % {"title": report.title})
        return redirect("report_detail", program.slug, report.pk)
    return render(
        request,
        "programs/form_page.html",
        {"program": program, "form": form, "title": _("New report")},
    )


@program_view(Perm.MANAGE_REPORTS)
def report_edit(request, program_slug, pk):
    report = _report(request, pk)
    if not report.editable:
        messages.error(request, _("A published report cannot be changed; make a new version."))
        return redirect("report_detail", program_slug, report.pk)
    targets = services.report_snapshot(report)["targets"]["rows"]
    form = ReportForm(
        request.POST or None, instance=report, program=request.program, targets=targets
    )
    if request.method == "POST" and form.is_valid():
        had_pdf = report.has_pdf
        try:
            services.report_update(report=report, fields=form.report_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Report saved."))
            if had_pdf:
                messages.info(request, _("Generate the PDF again, then publish it."))
            return redirect("report_detail", program_slug, report.pk)
    return render(
        request,
        "programs/form_page.html",
        {"program": request.program, "form": form, "title": _("Edit report"), "object": report},
    )


def _preview(report: Report, snapshot: dict) -> str:
    """The report body in the report's language, exactly as the PDF prints it."""
    with translation.override(report.language):
        return render_to_string("reports/_report_body.html", report_context(report, snapshot))


def _status_context(request, report):
    return {
        "program": request.program,
        "report": services.report_check_generation(report),
        "manages": _manages(request),
    }


@program_view(Perm.DOWNLOAD_REPORTS)
def report_detail(request, program_slug, pk):
    report = _report(request, pk)
    context = _status_context(request, report)
    refresh = _manages(request) and request.GET.get("recompute") == "1"
    snapshot = services.report_snapshot(context["report"], refresh=refresh)
    context["preview"] = _preview(context["report"], snapshot)
    if context["manages"] and context["report"].editable:
        context["without_reason"] = services.targets_without_reason(context["report"], snapshot)
    context["versions"] = selectors.report_versions(report, _reports(request))
    if context["manages"] and context["report"].status == Report.Status.PUBLISHED:
        context["can_unpublish"] = policies.can_unpublish(request.membership, context["report"])
    return render(request, "reports/report_detail.html", context)


@program_view(Perm.MANAGE_REPORTS)
def report_status(request, program_slug, pk):
    """The status panel, polled by htmx while the PDF is generated."""
    report = _report(request, pk)
    context = _status_context(request, report)
    response = render(request, "reports/_report_status.html", context)
    if request.GET.get("was") == Report.Status.GENERATING != context["report"].status:
        response["HX-Refresh"] = "true"  # the preview now shows the stored snapshot
    return response


def _act(request, pk, action, done_message):
    report = _report(request, pk)
    try:
        result = action(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("report_detail", request.program.slug, report.pk)
    if done_message:
        messages.success(request, done_message)
    return redirect("report_detail", request.program.slug, result.pk)


@require_POST
@program_view(Perm.MANAGE_REPORTS)
def report_generate(request, program_slug, pk):
    return _act(request, pk, services.report_request_generation, "")


@program_view(Perm.MANAGE_REPORTS)
def report_publish(request, program_slug, pk):
    """Ask first (GET), then publish (POST); where a target behind plan has no reason, say so
    and open the form for it."""
    report = _report(request, pk)
    if request.method != "POST":
        if report.status != Report.Status.GENERATED:
            messages.error(request, _("Only a generated report can be published."))
            return redirect("report_detail", program_slug, report.pk)
        return render(
            request,
            "reports/report_publish_confirm.html",
            {"program": request.program, "report": report},
        )
    try:
        services.report_publish(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if getattr(error, "code", None) == services.REASONS_MISSING:
            return redirect(reverse("report_edit", args=[program_slug, report.pk]) + "#reasons")
        return redirect("report_detail", program_slug, report.pk)
    messages.success(request, _("The report is published. The funder can download it now."))
    return redirect("report_detail", program_slug, report.pk)


@require_POST
@program_view(Perm.MANAGE_REPORTS)
def report_unpublish(request, program_slug, pk):
    """Take a published report back while no funder has downloaded it."""
    report = _report(request, pk)
    if not policies.can_unpublish(request.membership, report):
        messages.error(
            request,
            _(
                "This report can no longer be taken back: the funder has downloaded it. "
                "Make a new version instead."
            ),
        )
        return redirect("report_detail", program_slug, report.pk)
    services.report_unpublish(report=report, by=request.user)
    messages.success(
        request,
        _("The report was taken back. The funder no longer sees it until you publish it again."),
    )
    return redirect("report_detail", program_slug, report.pk)


@require_POST
@program_view(Perm.MANAGE_REPORTS)
def report_new_version(request, program_slug, pk):
    return _act(
        request,
        pk,
        services.report_new_version,
        _("A new version was started from the published report; the published one stays."),
    )


def _record_export(request, report: Report, fmt: str) -> None:
    export_record(
        request=request,
        what="report",
        fmt=fmt,
        filters={"report": report.pk, "version": report.version, "status": report.status},
    )


@program_view(Perm.DOWNLOAD_REPORTS)
def report_pdf(request, program_slug, pk):
    report = _report(request, pk)
    if not report.has_pdf:
        raise Http404(_("This report has no PDF yet."))
    _record_export(request, report, "pdf")
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=generation.report_filename(report),
        content_type="application/pdf",
    )


@program_view(Perm.DOWNLOAD_REPORTS)
def report_xlsx(request, program_slug, pk):
    from .exports import report_xlsx as build_xlsx

    report = _report(request, pk)
    data = build_xlsx(report, services.report_snapshot(report))
    _record_export(request, report, "xlsx")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{generation.report_filename(report, "xlsx")}"'
    )
    return response
