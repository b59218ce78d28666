from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

import home.urls
import privacy.urls
import programs.preferences
import programs.urls
import referrals.urls
import reports.urls
import sessions_log.urls
import transfer.urls
import volunteers.urls

# Everything under /p/<program_slug>/ is scoped to one program (see programs/access.py).
program_urlpatterns = (
    home.urls.program_urlpatterns
    + reports.urls.program_urlpatterns
    + programs.urls.program_urlpatterns
    + volunteers.urls.program_urlpatterns
    + sessions_log.urls.program_urlpatterns
    + referrals.urls.program_urlpatterns
    + transfer.urls.program_urlpatterns
    + privacy.urls.program_urlpatterns
)

# Everything under /o/<organisation_slug>/ covers the programs an organisation leads.
organisation_urlpatterns = (
    home.urls.organisation_urlpatterns + reports.urls.organisation_urlpatterns
)

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's language switcher, which also keeps the choice on the signed-in account.
    path("i18n/setlang/", programs.preferences.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
    *sessions_log.urls.app_urlpatterns,
    path("accounts/", include(programs.urls.account_urlpatterns)),
    path("accounts/", include(volunteers.urls.account_urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("p/<slug:program_slug>/", include(program_urlpatterns)),
    path("o/<slug:organisation_slug>/", include(organisation_urlpatterns)),
    path("", include(reports.urls.urlpatterns)),
    path("", include(programs.urls)),
]
