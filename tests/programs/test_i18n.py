import pytest
from django.urls import reverse
from django.utils import translation

from programs.models import ActivityKind
from sessions_log.models import Activity


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "html_lang"),
    [("de", "Anmelden", "de"), ("en", "Log in", "en"), ("da", "Log ind", "da")],
)
def test_the_login_page_speaks_the_users_language(client, language, heading, html_lang):
    response = client.get(reverse("login"), headers={"accept-language": language})
    assert response.status_code == 200
    assert f'<html lang="{html_lang}">' in response.text
    assert f">{heading}</h1>" in response.text


@pytest.mark.django_db
def test_the_language_switcher_changes_the_language(client):
    response = client.post(reverse("set_language"), {"language": "da", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert ">Log ind</h1>" in client.get(reverse("login")).text


def test_choice_labels_follow_the_language_of_each_request():
    activity = Activity(kind=ActivityKind.GROUP)
    with translation.override("de"):
        assert activity.get_kind_display() == "Gruppenangebot"
    with translation.override("da"):
        assert activity.get_kind_display() == "Gruppesession"
    with translation.override("en"):
        assert activity.get_kind_display() == "Group session"
    activity.kind = "retired_kind"  # a value no longer among the choices shows as stored
    assert activity.get_kind_display() == "retired_kind"
