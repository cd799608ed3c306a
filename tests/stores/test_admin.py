from django.urls import reverse
from django.utils import translation

from stores.lifecycle import StoreStatus
from stores.models import CredentialKind, Store, Team

from .factories import make_store

PASSWORD = "Admin-visible-9"
TOKEN = "abcdefabcdefabcdefabcdefabcdef12"


def test_admin_store_page_masks_secrets(admin_client, team):
    store = make_store(team, password=PASSWORD, token=TOKEN)

    html = admin_client.get(
        reverse("admin:stores_store_change", args=[store.pk])
    ).content.decode()

    assert PASSWORD not in html and TOKEN not in html
    assert store.password_ciphertext not in html
    assert "••••••••" in html


def test_saving_admin_form_without_touching_secrets_keeps_them(admin_client, team):
    store = make_store(team, password=PASSWORD, token=TOKEN)
    before = (store.password_ciphertext, store.token_ciphertext)

    response = admin_client.post(
        reverse("admin:stores_store_change", args=[store.pk]),
        {
            "team": team.pk,
            "name": "Renamed by admin",
            "environment": store.environment,
            "status": StoreStatus.ACTIVE,
            "status_reason": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    store.refresh_from_db()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert store.name == "Renamed by admin"
    assert (store.password_ciphertext, store.token_ciphertext) == before


def test_admin_list_filters_and_searches(admin_client, team):
    make_store(team, login="findme-api", name="Findable")
    make_store(team, login="other-api", name="Other", status=StoreStatus.PAUSED)
    changelist = reverse("admin:stores_store_changelist")

    searched = admin_client.get(changelist, {"q": "findme"}).content.decode()
    filtered = admin_client.get(
        changelist, {"status__exact": "paused"}
    ).content.decode()

    assert "Findable" in searched and ">Other<" not in searched
    assert ">Other<" in filtered and "Findable" not in filtered


def test_renew_now_action_queues_forced_renewals(
    admin_client, team, queued_renewals, django_capture_on_commit_callbacks
):
    store = make_store(team)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:stores_store_changelist"),
            {"action": "renew_token_now", "_selected_action": [store.pk]},
        )

    admin = admin_client.session["_auth_user_id"]
    assert queued_renewals == [
        ((store.pk,), {"force": True, "requested_by": int(admin)})
    ]


def test_admin_shows_store_events_read_only(admin_client, team, simulator_url):
    from stores.services.renewal import renew_store_token

    store = make_store(team)
    renew_store_token(store.pk, force=True)

    html = admin_client.get(
        reverse("admin:stores_store_change", args=[store.pk])
    ).content.decode()

    assert "Token renewed" in html
    assert Store.objects.get().events.count() == 1


def test_admin_flags_a_secret_no_key_opens_and_still_renders(admin_client, team):
    store = make_store(team, password=PASSWORD, token=TOKEN)
    Store.objects.filter(pk=store.pk).update(password_ciphertext="gAAAAAgarbage")

    change = admin_client.get(reverse("admin:stores_store_change", args=[store.pk]))
    changelist = admin_client.get(reverse("admin:stores_store_changelist"))
    # LocaleMiddleware leaves the request's language active in this thread.
    with translation.override("en"):
        in_french = admin_client.get(
            reverse("admin:stores_store_change", args=[store.pk]),
            HTTP_ACCEPT_LANGUAGE="fr",
        )

    html = change.content.decode()
    assert (change.status_code, changelist.status_code) == (200, 200)
    assert "unreadable (no encryption key opens it)" in html
    assert "gAAAAAgarbage" not in html and TOKEN not in html
    # The token is still readable, so it stays masked.
    assert html.count("••••••••") == 1
    assert "illisible" in in_french.content.decode()


def post_store_change(admin_client, store, **changes):
    return admin_client.post(
        reverse("admin:stores_store_change", args=[store.pk]),
        {
            "team": store.team_id,
            "name": store.name,
            "environment": store.environment,
            "status": store.status,
            "status_reason": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            **changes,
        },
    )


def admin_form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def test_moving_a_store_to_a_team_with_the_same_login_is_refused(admin_client, team):
    other = Team.objects.create(name="Other team")
    make_store(other, login="Demo-Shop-API", name="Already there")
    moving = make_store(team, login="demo-shop-api", name="Moving")

    response = post_store_change(admin_client, moving, team=other.pk)

    moving.refresh_from_db()
    assert response.status_code == 200
    assert admin_form_errors(response)["team"] == [
        "This team already has a store with this API login."
    ]
    assert moving.team == team


def test_a_team_id_too_large_for_the_database_is_a_form_error(admin_client, team):
    store = make_store(team)

    response = post_store_change(admin_client, store, team="99999999999999999999")

    assert response.status_code == 200
    assert admin_form_errors(response)["team"]


def test_moving_a_store_to_a_team_with_the_same_seller_id_is_refused(
    admin_client, team
):
    other = Team.objects.create(name="Other team")
    there = make_store(other, login="there-api", name="Already there")
    moving = make_store(team, login="moving-api", name="Moving")
    octopia = {"credential_kind": CredentialKind.OCTOPIA_OWN, "api_login": ""}
    Store.objects.filter(pk__in=[there.pk, moving.pk]).update(
        seller_id="100001", **octopia
    )

    response = post_store_change(admin_client, moving, team=other.pk)

    moving.refresh_from_db()
    assert response.status_code == 200
    assert admin_form_errors(response)["team"] == [
        "This team already has a store with this SellerId."
    ]
    assert moving.team == team


def test_moving_a_store_to_a_team_without_the_same_login_works(admin_client, team):
    other = Team.objects.create(name="Other team")
    make_store(other, login="different-api")
    moving = make_store(team, login="demo-shop-api")

    response = post_store_change(admin_client, moving, team=other.pk)

    moving.refresh_from_db()
    assert response.status_code == 302
    assert moving.team == other


def test_admin_refuses_a_name_without_visible_characters(admin_client, team):
    store = make_store(team, name="Kept")

    response = post_store_change(admin_client, store, name="\u200b")

    assert admin_form_errors(response)["name"] == [
        "Enter a store name with visible characters."
    ]
