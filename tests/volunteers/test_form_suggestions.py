"""Forms that fill in what the program already knows: the next volunteer code, and the
supervisor who records their own supervision."""

import pytest
from django.urls import reverse

from programs.models import Membership
from volunteers.selectors import next_volunteer_code

from ..factories import MembershipFactory, ProgramFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def test_the_new_volunteer_form_suggests_the_next_free_code(login, program, alice):
    for code in ("V-029", "V-030", "V-007"):
        VolunteerFactory(program=program, code=code)
    response = login(alice).get(reverse("volunteer_create", args=[program.slug]))
    assert response.context["form"]["code"].value() == "V-031"
    assert 'value="V-031"' in response.text


@pytest.mark.parametrize(
    "codes, expected",
    [
        ((), "V-001"),
        (("LH11", "LH9"), "LH12"),
        (("P-0099",), "P-0100"),
        (("V-002", "V-003", "Anna"), "V-004"),
    ],
)
def test_the_suggestion_follows_the_programs_pattern(db, codes, expected):
    program = ProgramFactory()
    for code in codes:
        VolunteerFactory(program=program, code=code)
    assert next_volunteer_code(program) == expected


def test_a_supervisor_recording_supervision_is_preselected(login, program, alice):
    sara = UserFactory(username="sara@example.org", first_name="Sara", last_name="Stein")
    MembershipFactory(user=sara, program=program, role=Membership.Role.SUPERVISOR)
    url = reverse("supervision_create", args=[program.slug])
    assert login(sara).get(url).context["form"]["supervisor"].value() == sara.pk
    # A coordinator records for whoever led it.
    assert login(alice).get(url).context["form"]["supervisor"].value() is None
