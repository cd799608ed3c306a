from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from stores import crypto
from stores.cdiscount.errors import SellerAccessRefused, TokenRejected
from stores.failure_messages import describe_failure
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import CredentialKind, Membership, PlatformToken, Store, StoreEvent
from stores.services import octopia_authorization

from ..stores.factories import make_store
from .conftest import (
    OWN_CLIENT_ID,
    OWN_CLIENT_SECRET,
    OWN_SELLER_ID,
    PLATFORM_CLIENT_ID,
    UNLINKED_SELLER_ID,
)
from .factories import make_delegated_store

AUTHORIZE = reverse("stores:authorize")


def authorize_own(client, team, **overrides):
    form = {
        "team": team.pk,
        "name": "Octopia shop",
        "credential_kind": "octopia_own",
        "seller_id": OWN_SELLER_ID,
        "client_id": OWN_CLIENT_ID,
        "client_secret": OWN_CLIENT_SECRET,
        "environment": "simulator",
        **overrides,
    }
    return client.post(AUTHORIZE, form, follow=True)


def authorize_delegated(client, team, seller_id="200001", **overrides):
    form = {
        "team": team.pk,
        "name": f"Delegated {seller_id}",
        "credential_kind": "octopia_delegated",
        "seller_id": seller_id,
        "environment": "simulator",
        **overrides,
    }
    return client.post(AUTHORIZE, form, follow=True)


def failure_message(response) -> str:
    return " ".join(str(error) for error in response.context["form"].non_field_errors())


def field_errors(response, name) -> list[str]:
    return response.context["form"].errors.get(name, [])


class TestTheForm:
    def test_asks_for_the_kind_first_and_offers_the_three(self, member_client):
        form = member_client.get(AUTHORIZE).context["form"]

        assert list(form.fields)[:3] == ["team", "credential_kind", "name"]
        assert [value for value, _ in form.fields["credential_kind"].choices] == [
            "octopia_delegated",
            "octopia_own",
            "legacy",
        ]

    def test_shows_the_platform_client_id_to_copy_and_the_legacy_note(
        self, member_client
    ):
        html = member_client.get(AUTHORIZE).content.decode()

        assert f'value="{PLATFORM_CLIENT_ID}" readonly' in html
        assert "retired by Cdiscount in 2025" in html
        assert "<script" not in html

    def test_delegated_is_not_offered_without_a_platform_client(
        self, member_client, team, settings
    ):
        settings.OCTOPIA_CLIENT_ID = ""

        form = member_client.get(AUTHORIZE).context["form"]
        response = authorize_delegated(member_client, team)

        assert "octopia_delegated" not in dict(form.fields["credential_kind"].choices)
        assert field_errors(response, "credential_kind")
        assert not Store.objects.exists()

    @pytest.mark.parametrize("seller_id", ["12a45", "123 456", "-1", "１２３"])
    def test_seller_id_is_digits_only(
        self, member_client, team, simulator_control, seller_id
    ):
        response = authorize_own(member_client, team, seller_id=seller_id)

        assert response.context["form"].has_error("seller_id", "seller_id_digits")
        assert simulator_control.stats()["octopia_token_requests"] == {}

    def test_each_kind_requires_its_own_fields(self, member_client, team):
        own = authorize_own(member_client, team, client_id="", client_secret="  ")
        delegated = authorize_delegated(member_client, team, seller_id="")

        assert own.context["form"].has_error("client_id", "required")
        assert own.context["form"].has_error("client_secret", "client_secret_blank")
        assert delegated.context["form"].has_error("seller_id", "required")

    def test_fields_of_another_kind_are_ignored(
        self, member_client, team, simulator_control
    ):
        response = authorize_delegated(
            member_client, team, api_login="demo-shop-api", api_password="x"
        )

        assert response.redirect_chain == [(reverse("stores:list"), 302)]
        assert simulator_control.stats()["token_requests"] == {}
        assert Store.objects.get().api_login == ""

    def test_client_secret_is_never_rendered_back(self, member_client, team):
        response = authorize_own(member_client, team, client_secret="Wr0ng-s3cret")

        assert "Wr0ng-s3cret" not in response.content.decode()
        assert 'value="demo-client"' in response.content.decode()

    def test_client_secret_is_hidden_from_error_reports(self, member_client, team):
        response = member_client.post(AUTHORIZE, {"credential_kind": "octopia_own"})

        assert "client_secret" in response.wsgi_request.sensitive_post_parameters


class TestOwnClient:
    def test_authorizing_keeps_the_secret_and_token_sealed(
        self, member_client, team, simulator_control
    ):
        response = authorize_own(member_client, team)

        store = Store.objects.get()
        assert response.redirect_chain == [(reverse("stores:list"), 302)]
        assert store.credential_kind == CredentialKind.OCTOPIA_OWN
        assert (store.seller_id, store.client_id) == (OWN_SELLER_ID, OWN_CLIENT_ID)
        assert store.api_login == ""
        assert OWN_CLIENT_SECRET not in store.client_secret_ciphertext
        assert crypto.decrypt(store.client_secret_ciphertext) == OWN_CLIENT_SECRET
        assert crypto.decrypt(store.token_ciphertext).startswith("sim.")
        assert store.token_expires_at - store.token_issued_at == timedelta(hours=2)
        assert store.shop_name == "Boutique Octopia"
        assert store.status == StoreStatus.ACTIVE
        assert StoreEvent.objects.get().kind == LifecycleEvent.AUTHORIZED
        assert "Boutique Octopia" in response.content.decode()
        assert simulator_control.octopia_seller_requests(OWN_CLIENT_ID) == 1

    def test_same_seller_id_again_updates_the_store(self, member_client, team):
        authorize_own(member_client, team)
        response = authorize_own(member_client, team, name="Renamed")

        store = Store.objects.get()
        assert store.name == "Renamed"
        assert "already authorized in this team" in response.content.decode()
        assert StoreEvent.objects.latest("id").kind == LifecycleEvent.REAUTHORIZED


class TestDelegated:
    def test_authorizing_uses_the_shared_token_and_stores_no_secret(
        self, member_client, team, simulator_control
    ):
        response = authorize_delegated(member_client, team, "200001")
        authorize_delegated(member_client, team, "200002")

        first, second = Store.objects.order_by("seller_id")
        platform = PlatformToken.objects.get()
        assert response.redirect_chain == [(reverse("stores:list"), 302)]
        assert first.credential_kind == CredentialKind.OCTOPIA_DELEGATED
        assert (first.client_id, first.client_secret_ciphertext) == ("", "")
        assert first.token_ciphertext == ""
        assert first.token_expires_at == platform.token_expires_at
        assert (first.shop_name, second.shop_name) == (
            "Plateforme Vendeur Un",
            "Plateforme Vendeur Deux",
        )
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 1
        assert simulator_control.octopia_seller_requests(PLATFORM_CLIENT_ID) == 2

    def test_a_refused_shared_token_is_replaced_once(
        self, member_client, team, simulator_control
    ):
        authorize_delegated(member_client, team, "200001")
        PlatformToken.objects.update(
            token_issued_at=PlatformToken.objects.get().token_issued_at
            - timedelta(minutes=5)
        )
        simulator_control.expire_octopia_tokens(PLATFORM_CLIENT_ID)

        response = authorize_delegated(member_client, team, "200002")

        assert response.redirect_chain == [(reverse("stores:list"), 302)]
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 2


class TestFailureMessages:
    def test_wrong_client_secret(self, member_client, team):
        response = authorize_own(member_client, team, client_secret="nope")

        assert "rejected this client ID or client secret" in failure_message(response)
        assert not Store.objects.exists()
        event = StoreEvent.objects.get()
        assert event.kind == LifecycleEvent.AUTHORIZATION_FAILED
        assert "nope" not in event.reason

    def test_unknown_seller_id(self, member_client, team):
        response = authorize_own(member_client, team, seller_id="999999")

        assert "knows no seller with the SellerId 999999" in failure_message(response)

    def test_seller_who_has_not_linked_cdauth_yet_is_told_what_to_do(
        self, member_client, team
    ):
        response = authorize_delegated(member_client, team, UNLINKED_SELLER_ID)

        message = failure_message(response)
        assert f"SellerId {UNLINKED_SELLER_ID}" in message
        assert f"client ID “{PLATFORM_CLIENT_ID}” is not linked to it yet" in message
        assert "API Credentials Management" in message
        assert not Store.objects.exists()

    def test_own_client_that_may_not_act_for_the_seller(self, member_client, team):
        response = authorize_own(member_client, team, seller_id="200001")

        assert f"“{OWN_CLIENT_ID}” may not act for the SellerId 200001" in (
            failure_message(response)
        )

    def test_refused_platform_client_is_not_the_sellers_fault(
        self, member_client, team, simulator_control
    ):
        simulator_control.change_octopia_client(PLATFORM_CLIENT_ID, behaviour="reject")

        response = authorize_delegated(member_client, team)

        message = failure_message(response)
        assert "cdauth's own Octopia client could not get a token" in message
        assert "Nothing is wrong with your store" in message

    @pytest.mark.parametrize(
        ("behaviour", "expected"),
        [
            ("unavailable", "could not be reached"),
            ("html", "answering strangely"),
        ],
    )
    def test_token_endpoint_trouble(
        self, member_client, team, simulator_control, behaviour, expected
    ):
        simulator_control.change_octopia_client(OWN_CLIENT_ID, behaviour=behaviour)

        assert expected in failure_message(authorize_own(member_client, team))

    def test_seller_api_outage(self, member_client, team, simulator_control):
        simulator_control.add_octopia_seller(OWN_SELLER_ID, api_behaviour="unavailable")

        response = authorize_own(member_client, team)

        assert "could not be reached" in failure_message(response)

    def test_access_refused_for_another_reason_is_told_apart(self):
        with translation.override("en"):
            message = describe_failure(SellerAccessRefused("200001", 403))

        assert "refused access to the SellerId 200001 (HTTP 403)" in message
        assert "not linked" not in message
        assert "knows no seller" not in message

    def test_token_refused_twice_is_an_unexpected_answer(
        self, member_client, team, monkeypatch
    ):
        def always_refused(api_base, token, seller_id):
            raise TokenRejected("the Octopia seller API refused the token (HTTP 401)")

        monkeypatch.setattr(octopia_authorization, "get_seller", always_refused)

        response = authorize_own(member_client, team)

        assert "answering strangely" in failure_message(response)


class TestSameStoreUnderTwoKinds:
    def test_same_seller_id_under_the_other_octopia_kind_is_refused(
        self, member_client, team, simulator_control
    ):
        simulator_control.add_octopia_client(
            "second-client", "second-secret", seller_ids=["200001"]
        )
        existing = make_delegated_store(
            team, seller_id="200001", expires_in=timedelta(hours=1)
        )

        response = authorize_own(
            member_client,
            team,
            seller_id="200001",
            client_id="second-client",
            client_secret="second-secret",
        )

        assert f"already authorized in this team as “{existing.name}”" in (
            failure_message(response)
        )
        assert response.context["same_store"] == existing
        assert reverse("stores:switch_kind", args=[existing.pk]) in (
            response.content.decode()
        )
        assert Store.objects.get().credential_kind == CredentialKind.OCTOPIA_DELEGATED

    def test_octopia_seller_already_authorized_with_the_legacy_login_is_refused(
        self, member_client, team, simulator_control
    ):
        make_store(team, login="demo-shop-api", name="Old shop")
        simulator_control.add_octopia_seller(
            "100009", login="demo-shop", linked_clients=[OWN_CLIENT_ID]
        )

        response = authorize_own(member_client, team, seller_id="100009")

        message = failure_message(response)
        assert "already authorized in this team as “Old shop”" in message
        assert "Switch that store to Octopia" in message
        assert "Switch “Old shop” to Octopia" in response.content.decode()
        assert Store.objects.count() == 1

    def test_legacy_login_of_a_store_now_on_octopia_is_refused(
        self, member_client, team
    ):
        store = make_store(team, login="demo-shop-api", name="Moved shop")
        Store.objects.filter(pk=store.pk).update(
            credential_kind=CredentialKind.OCTOPIA_DELEGATED, seller_id="200001"
        )

        response = member_client.post(
            AUTHORIZE,
            {
                "team": team.pk,
                "name": "Again",
                "api_login": "demo-shop-api",
                "api_password": "Demo-2024!",
                "environment": "simulator",
            },
        )

        assert "belongs to “Moved shop”, which now connects with" in (
            failure_message(response)
        )
        store.refresh_from_db()
        assert store.credential_kind == CredentialKind.OCTOPIA_DELEGATED

    def test_legacy_login_of_a_seller_already_on_octopia_is_refused(
        self, member_client, team
    ):
        octopia = make_delegated_store(team, seller_id="200001", name="New shop")
        Store.objects.filter(pk=octopia.pk).update(seller_login="demo-shop")

        response = member_client.post(
            AUTHORIZE,
            {
                "team": team.pk,
                "name": "Legacy twin",
                "api_login": "demo-shop-api",
                "api_password": "Demo-2024!",
                "environment": "simulator",
            },
        )

        assert "already authorized in this team as “New shop”" in (
            failure_message(response)
        )
        assert Store.objects.count() == 1

    def test_member_limited_to_other_stores_is_not_told_which(
        self, member_client, member, team
    ):
        make_delegated_store(team, seller_id="200001", name="Hidden shop")
        Membership.objects.filter(user=member).update(limited_to_stores=True)

        response = authorize_delegated(member_client, team, "200001")

        assert "not assigned to" in " ".join(field_errors(response, "seller_id"))
        assert "Hidden shop" not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["店铺如何连接？", "客户端密钥", "旧版 API：登录名和密码"]),
        ("fr", ["Comment la boutique se connecte-t-elle ?", "Secret client"]),
    ],
)
def test_the_form_speaks_every_language(member_client, language, expected):
    html = member_client.get(AUTHORIZE, HTTP_ACCEPT_LANGUAGE=language).content
    for text in expected:
        assert text in html.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ["Octopia 委托授权给 cdauth", "将旧版 API 店铺迁移到 Octopia"]),
        ("fr", ["Octopia, accès délégué à cdauth", "Octopia avec votre propre client"]),
    ],
)
def test_the_help_explains_each_way_in_every_language(
    member_client, language, expected
):
    html = member_client.get(
        reverse("stores:help"), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    for text in expected:
        assert text in html
