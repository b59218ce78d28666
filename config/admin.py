"""Lotse's admin site: named as Lotse's, and only for staff.

A signed-in member who is not staff (a coordinator following an old bookmark) is sent to
their own start page instead of the admin's sign-in form, which would only tell them that
their account may not enter.
"""

from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class LotseAdminSite(admin.AdminSite):
    site_header = _("Lotse administration")
    site_title = _("Lotse administration")
    index_title = _("Administration")

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and not (user.is_active and user.is_staff):
            return redirect("home")
        return super().login(request, extra_context)
