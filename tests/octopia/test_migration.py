"""Moving a legacy store to Octopia in place, and finding the ones to move."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from stores import crypto
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import CredentialKind, Membership, Role, Store, StoreEvent, Team
from stores.services import renewal
from stores.services.events import record_event
from stores.services.renewal import RenewalOutcome

from ..conftest import MEMBER_PASSWORD
from ..stores.factories import make_store
from .conftest import OWN_CLIENT_ID, OWN_CLIENT_SECRET, OWN_SELLER_ID
from .factories import make_delegated_store

LIST = reverse("stores:list")


def switch_url(store) -> str:
    return reverse("stores:switch_kind", args=[store.pk])


def switch_to_own(client, store, **overrides):
    form = {
        "credential_kind": "octopia_own",
        "seller_id": OWN_SELLER_ID,
        "client_id": OWN_CLIENT_ID,
        "client_secret": OWN_CLIENT_SECRET,
        **overrides,
    }
    return client.post(switch_url(store), form, follow=True)


def switch_to_delegated(client, store, seller_id="200001"):
    form = {"credential_kind": "octopia_delegated", "seller_id": seller_id}
    return client.post(switch_url(store), form, follow=True)


@pytest.fixture
def legacy_store(team, member):
    store = make_store(team, login="demo-shop-api", name="Shenzhen flagship")
    Store.objects.filter(pk=store.pk).update(created_by=member)
    record_event(
        team=team, store=store, kind=LifecycleEvent.AUTHORIZED, outcome="success"
    )
    store.refresh_from_db()
    return store


class TestSwitchInPlace:
    def test_legacy_store_moves_to_its_own_octopia_client_and_keeps_the_rest(
        self, member_client, legacy_store
    ):
        before = legacy_store

        response = switch_to_own(member_client, legacy_store)

        store = Store.objects.get()
        assert response.redirect_chain[-1][0] == reverse(
            "stores:detail", args=[before.pk]
        )
        assert "now connects with" in response.content.decode()
        assert store.pk == before.pk
        assert (store.name, store.team_id, store.created_by_id, store.created_at) == (
            before.name,
            before.team_id,
            before.created_by_id,
            before.created_at,
        )
        assert store.credential_kind == CredentialKind.OCTOPIA_OWN
        assert store.seller_id == OWN_SELLER_ID
        assert crypto.decrypt(store.client_secret_ciphertext) == OWN_CLIENT_SECRET
        assert store.password_ciphertext == ""
        assert store.api_login == "demo-shop-api"
        assert store.shop_name == "Boutique Octopia"
        assert store.status == StoreStatus.ACTIVE
        assert store.token_expires_at - store.token_issued_at == timedelta(hours=2)
        kinds = list(store.events.order_by("id").values_list("kind", "reason"))
        assert kinds == [
            (LifecycleEvent.AUTHORIZED, ""),
            (LifecycleEvent.KIND_SWITCHED, "legacy -> octopia_own"),
        ]

    def test_legacy_store_moves_to_delegated_access(
        self, member_client, legacy_store, simulator_control
    ):
        switch_to_delegated(member_client, legacy_store)

        store = Store.objects.get()
        assert store.credential_kind == CredentialKind.OCTOPIA_DELEGATED
        assert (store.seller_id, store.token_ciphertext) == ("200001", "")
        assert store.shop_name == "Plateforme Vendeur Un"
        assert simulator_control.octopia_token_requests("cdauth-platform") == 1

    def test_a_store_that_needed_reauthorization_is_active_again(
        self, member_client, team
    ):
        store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)

        switch_to_own(member_client, store)

        store.refresh_from_db()
        assert store.status == StoreStatus.ACTIVE
        assert store.status_reason == ""

    def test_renewal_uses_the_new_kind_after_the_switch(
        self, member_client, legacy_store, simulator_control
    ):
        switch_to_own(member_client, legacy_store)
        Store.objects.update(token_renew_at=timezone.now())

        assert renewal.renew_store_token(legacy_store.pk) == RenewalOutcome.RENEWED
        assert simulator_control.token_requests("demo-shop-api") == 0
        assert simulator_control.octopia_token_requests(OWN_CLIENT_ID) == 2

    def test_a_renewal_running_during_the_switch_writes_nothing(
        self, member_client, legacy_store
    ):
        now = timezone.now()
        Store.objects.update(token_renew_at=now)
        claim_id = renewal.claim_store(legacy_store.pk, force=False, now=now)
        old_token = renewal.client_for("legacy").issue_token(legacy_store)

        switch_to_own(member_client, legacy_store)
        outcome = renewal._record_renewal(legacy_store, claim_id, old_token, None)

        store = Store.objects.get()
        assert outcome == RenewalOutcome.LOST_CLAIM
        assert store.credential_kind == CredentialKind.OCTOPIA_OWN
        assert crypto.decrypt(store.token_ciphertext) != old_token.value


class TestFailedSwitch:
    def test_failed_check_leaves_the_store_as_it_was(self, member_client, legacy_store):
        response = switch_to_own(member_client, legacy_store, client_secret="wrong")

        store = Store.objects.get()
        assert "rejected this client ID or client secret" in (response.content.decode())
        assert store.credential_kind == CredentialKind.LEGACY
        assert store.password_ciphertext == legacy_store.password_ciphertext
        assert store.token_ciphertext == legacy_store.token_ciphertext
        failed = StoreEvent.objects.latest("id")
        assert failed.kind == LifecycleEvent.AUTHORIZATION_FAILED
        assert failed.store_id == store.pk

    def test_seller_id_of_another_store_is_refused(self, member_client, team):
        other = make_delegated_store(team, seller_id="200001", name="Other shop")
        store = make_store(team, name="Legacy shop")

        response = switch_to_delegated(member_client, store, "200001")

        assert "already authorized in this team as “Other shop”" in (
            response.content.decode()
        )
        store.refresh_from_db()
        assert store.credential_kind == CredentialKind.LEGACY
        assert other.pk != store.pk

    def test_the_page_offers_only_octopia_kinds(self, member_client, legacy_store):
        form = member_client.get(switch_url(legacy_store)).context["form"]

        assert dict(form.fields["credential_kind"].choices).keys() == {
            "octopia_delegated",
            "octopia_own",
        }
        assert not form.is_bound

    def test_legacy_kind_cannot_be_posted(self, member_client, legacy_store):
        response = member_client.post(
            switch_url(legacy_store), {"credential_kind": "legacy"}
        )

        assert response.context["form"].has_error("credential_kind")


class TestWhoMaySwitch:
    def test_a_viewer_may_not(self, client, team, legacy_store):
        viewer = get_user_model().objects.create_user("wu", password=MEMBER_PASSWORD)
        Membership.objects.create(team=team, user=viewer, role=Role.VIEWER)
        client.force_login(viewer)

        assert switch_to_own(client, legacy_store).status_code == 403
        assert Store.objects.get().credential_kind == CredentialKind.LEGACY

    def test_another_teams_store_does_not_exist(self, member_client, db):
        other = make_store(Team.objects.create(name="Rivals"))

        assert member_client.get(switch_url(other)).status_code == 404


class TestFindingTheStoresToMove:
    def test_the_list_can_show_only_legacy_stores(self, member_client, team):
        make_store(team, login="old-one-api", name="Old one")
        make_store(team, login="old-two-api", name="Old two")
        make_delegated_store(team, seller_id="200001", name="Moved")

        response = member_client.get(LIST, {"kind": "legacy"})

        names = [store.name for store in response.context["stores"]]
        assert names == ["Old one", "Old two"]
        assert response.context["is_filtered"]

    def test_the_list_names_octopia_stores_by_seller_id(self, member_client, team):
        make_delegated_store(team, seller_id="200001", name="Moved")

        html = member_client.get(LIST).content.decode()

        assert "<code>200001</code>" in html
        assert "Octopia, delegated" in html

    def test_an_unknown_kind_is_ignored(self, member_client, team):
        make_store(team)

        response = member_client.get(LIST, {"kind": "carrier-pigeon"})

        assert len(response.context["stores"]) == 1

    def test_the_store_page_offers_the_switch(self, member_client, legacy_store):
        html = member_client.get(
            reverse("stores:detail", args=[legacy_store.pk])
        ).content.decode()

        assert switch_url(legacy_store) in html
        assert "Switch to Octopia" in html
