import time

import pytest
from django.conf import settings
from django.urls import reverse

from stores import crypto
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import Store, StoreEvent

from .test_token_service import PASSWORDS_AS_TYPED

AUTHORIZE = reverse("stores:authorize")


def authorize(client, team, *, login="demo-shop-api", password="Demo-2024!", **extra):
    form = {
        "team": team.pk,
        "name": "My shop",
        "api_login": login,
        "api_password": password,
        "environment": "simulator",
        **extra,
    }
    return client.post(AUTHORIZE, form, follow=True)


def page_text(response) -> str:
    return response.content.decode()


def test_authorizing_stores_the_secrets_encrypted_and_lists_the_store(
    member_client, team
):
    response = authorize(member_client, team)

    store = Store.objects.get()
    assert response.redirect_chain == [(reverse("stores:list"), 302)]
    assert store.shop_name == "Boutique Démo"
    assert store.status == StoreStatus.ACTIVE
    assert "Demo-2024!" not in store.password_ciphertext
    assert crypto.decrypt(store.password_ciphertext) == "Demo-2024!"
    assert len(crypto.decrypt(store.token_ciphertext)) == 32
    assert store.token_expires_at - store.token_issued_at == (
        settings.CDISCOUNT_TOKEN_LIFETIME
    )
    assert "Boutique Démo" in page_text(response)
    event = StoreEvent.objects.get()
    assert (event.kind, event.outcome, event.actor) == (
        LifecycleEvent.AUTHORIZED,
        "success",
        store.created_by,
    )


@pytest.mark.parametrize(
    "password", PASSWORDS_AS_TYPED.values(), ids=PASSWORDS_AS_TYPED
)
def test_passwords_with_any_characters_authorize(
    member_client, team, simulator_control, password
):
    simulator_control.add_account("typed-api", password)

    authorize(member_client, team, login="typed-api", password=password)

    assert crypto.decrypt(Store.objects.get().password_ciphertext) == password


def test_a_second_authorization_of_the_same_login_updates_the_store(
    member_client, team
):
    authorize(member_client, team)
    first = Store.objects.get()

    response = authorize(
        member_client, team, login="  DEMO-shop-API ", name="Renamed shop"
    )

    store = Store.objects.get()
    assert store.pk == first.pk
    assert store.name == "Renamed shop"
    assert store.token_ciphertext != first.token_ciphertext
    assert "already authorized" in page_text(response)
    assert StoreEvent.objects.filter(kind=LifecycleEvent.REAUTHORIZED).count() == 1


def failure_message(response) -> str:
    return " ".join(str(error) for error in response.context["form"].non_field_errors())


def test_html_from_the_token_service_says_answering_strangely_and_stores_nothing(
    member_client, team
):
    response = authorize(member_client, team, login="html-api")

    assert "answering strangely" in failure_message(response)
    assert "rejected" not in failure_message(response)
    assert not Store.objects.exists()
    assert StoreEvent.objects.get().kind == LifecycleEvent.AUTHORIZATION_FAILED


def test_rejected_password_names_the_likely_fix(member_client, team):
    response = authorize(member_client, team, password="wrong")

    assert "-api" in failure_message(response)
    assert "reset the API password" in failure_message(response)
    assert not Store.objects.exists()


def test_operation_refused_shows_cdiscounts_french_text_intact(member_client, team):
    response = authorize(member_client, team, login="operationfalse-api")

    assert "Vous n'êtes pas autorisé" in failure_message(response)
    assert "Vous n&#x27;êtes pas autorisé" in page_text(response)


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("deactivated-api", "deactivated"),
        ("banned-api", "banned"),
        ("notauthorized-api", "not authorized"),
    ],
)
def test_unusable_accounts_say_why(member_client, team, login, expected):
    response = authorize(member_client, team, login=login)

    assert expected in failure_message(response)
    assert not Store.objects.exists()


def test_soap_404_says_service_retired_not_wrong_password(member_client, team):
    response = authorize(member_client, team, login="retired-api")

    assert "retired" in failure_message(response)
    assert "rejected" not in failure_message(response)


def test_hanging_token_service_answers_within_the_timeout(member_client, team):
    started = time.monotonic()

    response = authorize(member_client, team, login="hang-api")

    assert time.monotonic() - started < settings.CDISCOUNT_READ_TIMEOUT + 3
    assert "could not be reached" in failure_message(response)


def test_failed_form_keeps_input_but_never_renders_the_password(member_client, team):
    response = authorize(member_client, team, login="html-api", password="S3cret-xyz")

    html = page_text(response)
    assert 'value="html-api"' in html
    assert "S3cret-xyz" not in html


def test_blank_password_is_refused_before_calling_cdiscount(
    member_client, team, simulator_control
):
    response = authorize(member_client, team, password="   ")

    assert response.context["form"].errors["api_password"] == [
        "Enter the API password."
    ]
    assert simulator_control.token_requests("demo-shop-api") == 0


def test_simulator_environment_is_offered_only_when_configured(member_client, settings):
    assert b'value="simulator"' in member_client.get(AUTHORIZE).content

    settings.CDISCOUNT_SIMULATOR_URL = ""

    assert b'value="simulator"' not in member_client.get(AUTHORIZE).content


def test_environment_preselected_is_the_simulator_only_where_one_runs(
    member_client, settings
):
    def preselected():
        form = member_client.get(AUTHORIZE).context["form"]
        return form["environment"].value()

    assert preselected() == "simulator"

    settings.CDISCOUNT_SIMULATOR_URL = ""

    assert preselected() == "production"


def test_user_without_a_team_is_told_to_ask_an_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("loner"))

    response = client.get(AUTHORIZE)

    assert "not a member of any team" in page_text(response)


def test_cannot_authorize_into_another_team(member_client, team, db):
    from stores.models import Team

    other = Team.objects.create(name="Other team")

    response = authorize(member_client, other)

    assert "team" in response.context["form"].errors
    assert not Store.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(AUTHORIZE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


BAD_HIDDEN_TEAMS = {
    "missing": None,
    "junk": "abc",
    "superscript": "²",
    "past-64-bit": "99999999999999999999",
    "unknown": "424242",
}


@pytest.mark.parametrize("posted", BAD_HIDDEN_TEAMS.values(), ids=BAD_HIDDEN_TEAMS)
def test_a_bad_hidden_team_is_said_and_sending_again_works(member_client, team, posted):
    form = {
        "name": "My shop",
        "api_login": "demo-shop-api",
        "api_password": "Demo-2024!",
        "environment": "simulator",
    }
    if posted is not None:
        form["team"] = posted

    refused = member_client.post(AUTHORIZE, form)
    nothing_stored = not Store.objects.exists()
    sent_back = refused.context["form"]["team"].value()
    again = member_client.post(AUTHORIZE, {**form, "team": sent_back}, follow=True)

    assert refused.status_code == 200 and nothing_stored
    assert "not one where you can authorize stores" in failure_message(refused)
    assert "Shenzhen Trading" in failure_message(refused)
    assert "not one where you can authorize stores" in page_text(refused)
    assert f'name="team" value="{team.pk}"' in page_text(refused)
    assert again.redirect_chain == [(reverse("stores:list"), 302)]
    assert Store.objects.get().team == team


def test_a_foreign_hidden_team_is_refused_visibly(member_client, team):
    from stores.models import Team

    other = Team.objects.create(name="Other team")

    response = authorize(member_client, other)

    assert "not one where you can authorize stores" in failure_message(response)
    assert f'name="team" value="{team.pk}"' in page_text(response)
    assert not Store.objects.exists()


@pytest.mark.parametrize(
    "name", ["\ufeff", "\u200b \u200b", "\u3164", "Shop\x01"],
    ids=["bom", "zero-width-spaces", "hangul-filler", "control"],
)  # fmt: skip
def test_a_name_without_visible_characters_or_with_controls_is_refused(
    member_client, team, simulator_control, name
):
    response = authorize(member_client, team, name=name)

    [error] = response.context["form"].errors["name"]
    assert "visible characters" in error or "control characters" in error
    assert simulator_control.token_requests("demo-shop-api") == 0
    assert not Store.objects.exists()
