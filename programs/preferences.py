"""A user's interface language, kept with their account.

The language switcher stores the choice on the account (``UserPreference``) as well as in the
browser's cookie; signing in brings it to any browser; e-mails are written in it
(``core.mail`` asks ``recipient_languages``). During a session the language is read from the
session, so a page costs no query for it.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.views.i18n import set_language as django_set_language

from .models import UserPreference

SESSION_KEY = "lotse_language"


def supported(language: str | None) -> str | None:
    """``language`` if it is one of the interface's languages, else None."""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else None


def language_of(user) -> str | None:
    """The language stored on ``user``'s account, or None."""
    preference = UserPreference.objects.filter(user=user).only("language").first()
    return supported(preference.language) if preference else None


def language_store(user, language: str) -> None:
    UserPreference.objects.update_or_create(user=user, defaults={"language": language})


def recipient_languages(addresses: Iterable[str]) -> dict[str, str]:
    """The stored language of each address that belongs to a user who has chosen one."""
    rows = UserPreference.objects.filter(user__email__in=list(addresses)).exclude(language="")
    return {
        email: language
        for email, language in rows.values_list("user__email", "language")
        if supported(language)
    }


def set_language(request):
    """Django's language switcher, which also keeps the choice on the signed-in account."""
    response = django_set_language(request)
    language = supported(request.POST.get("language")) if request.method == "POST" else None
    if language and request.user.is_authenticated:
        language_store(request.user, language)
        request.session[SESSION_KEY] = language
    return response


@receiver(user_logged_in, dispatch_uid="lotse_language_at_login")
def _language_at_login(sender, request, user, **kwargs):
    """Signing in applies the language stored on the account; without one, the browser's
    language stays (and e-mails come in the program's language)."""
    if request is None or not hasattr(request, "session"):
        return
    language = language_of(user)
    if language is None:
        return
    request.session[SESSION_KEY] = language
    translation.activate(language)


class UserLanguageMiddleware:
    """After ``LocaleMiddleware``: a signed-in session speaks its account's language, whatever
    the browser's cookie or Accept-Language header says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        language = supported(session.get(SESSION_KEY)) if session is not None else None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
