"""Dates and times in each person's own time zone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from stores.models import UserPreferences

PREFERENCES = reverse("preferences")


def current_zone_during(client, path=PREFERENCES) -> str:
    return client.get(path).context["TIME_ZONE"]


def test_a_new_user_sees_shanghai_time_without_a_stored_preference(member_client):
    assert current_zone_during(member_client) == "Asia/Shanghai"
    assert not UserPreferences.objects.exists()


def test_choosing_a_zone_keeps_it_for_every_page(member_client, member):
    response = member_client.post(
        PREFERENCES, {"time_zone": "Europe/Paris"}, follow=True
    )

    assert member.preferences.time_zone == "Europe/Paris"
    assert "now shown in Europe/Paris" in response.content.decode()
    assert current_zone_during(member_client, reverse("stores:list")) == (
        "Europe/Paris"
    )


def test_an_unknown_zone_is_refused(member_client, member):
    response = member_client.post(PREFERENCES, {"time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert not UserPreferences.objects.filter(user=member).exists()


def test_a_bad_stored_zone_falls_back_instead_of_failing(member_client, member):
    UserPreferences.objects.create(user=member, time_zone="Not/A_Zone")

    assert current_zone_during(member_client) == "Asia/Shanghai"


def test_the_zone_select_lists_every_zone_sorted_with_a_label(member_client):
    html = member_client.get(PREFERENCES).content.decode()
    form = member_client.get(PREFERENCES).context["form"]
    names = [value for value, _ in form.fields["time_zone"].choices]

    assert names == sorted(names) and "America/New_York" in names
    assert '<label for="id_time_zone">Time zone</label>' in html


def test_the_zone_is_dropped_when_the_request_ends(member_client, settings):
    member_client.post(PREFERENCES, {"time_zone": "America/New_York"})

    member_client.get(PREFERENCES)

    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_only_real_zones_are_offered(member_client):
    form = member_client.get(PREFERENCES).context["form"]
    names = {value for value, _ in form.fields["time_zone"].choices}

    assert "UTC" in names and "Asia/Shanghai" in names
    assert not names & {"Factory", "localtime", "EST", "GMT", "Zulu", "Etc/GMT+5"}


@pytest.mark.parametrize("zone", ["Factory", "localtime", "Etc/GMT+5", "EST5EDT"])
def test_a_zone_that_is_no_place_is_refused(member_client, member, zone):
    response = member_client.post(PREFERENCES, {"time_zone": zone})

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert not UserPreferences.objects.filter(user=member).exists()


def test_utc_can_be_chosen(member_client, member):
    member_client.post(PREFERENCES, {"time_zone": "UTC"})

    assert member.preferences.time_zone == "UTC"
