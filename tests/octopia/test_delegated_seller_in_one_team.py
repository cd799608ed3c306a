"""A delegated SellerId belongs to the first team that authorized it.

Delegated access only proves that the seller linked cdauth's client, not
which team the person typing the SellerId works for.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stores.models import CredentialKind, Store, Team
from stores.services.same_store import hold_team_authorizations
from tests.stores.factories import make_member, make_store

from .conftest import OWN_CLIENT_ID, OWN_CLIENT_SECRET, PLATFORM_CLIENT_ID
from .factories import make_delegated_store
from .test_octopia_authorize import authorize_delegated, authorize_own, field_errors

SELLER_ID = "200001"


@pytest.fixture
def rival_client(db):
    rival = Team.objects.create(name="Rival team")
    client = Client()
    client.force_login(make_member(rival, "rival"))
    return client, rival


def test_another_team_cannot_take_a_delegated_seller(
    team, rival_client, simulator_control
):
    make_delegated_store(team, seller_id=SELLER_ID)
    client, rival = rival_client

    response = authorize_delegated(client, rival, seller_id=SELLER_ID)

    assert "Another team already connects this SellerId" in " ".join(
        field_errors(response, "seller_id")
    )
    assert not Store.objects.filter(team=rival).exists()
    # Not even looked up: the other team's shop name is not shown.
    assert simulator_control.octopia_seller_requests(PLATFORM_CLIENT_ID) == 0
    assert "Plateforme Vendeur Un" not in response.content.decode()


def test_another_team_with_the_sellers_own_client_may_connect_it(
    team, rival_client, simulator_control
):
    simulator_control.add_octopia_seller(SELLER_ID, linked_clients=[OWN_CLIENT_ID])
    make_delegated_store(team, seller_id=SELLER_ID)
    client, rival = rival_client

    authorize_own(
        client,
        rival,
        seller_id=SELLER_ID,
        client_id=OWN_CLIENT_ID,
        client_secret=OWN_CLIENT_SECRET,
    )

    assert Store.objects.get(team=rival).credential_kind == CredentialKind.OCTOPIA_OWN


def test_a_store_cannot_be_switched_to_a_seller_delegated_elsewhere(team, rival_client):
    make_delegated_store(team, seller_id=SELLER_ID)
    client, rival = rival_client
    legacy = make_store(rival, login="second-shop-api", password="Second-2024!")

    response = client.post(
        reverse("stores:switch_kind", kwargs={"store_id": legacy.pk}),
        {"credential_kind": "octopia_delegated", "seller_id": SELLER_ID},
    )

    assert response.status_code == 200
    assert "Another team already connects" in response.content.decode()
    assert Store.objects.get(pk=legacy.pk).credential_kind == CredentialKind.LEGACY


def test_the_database_refuses_a_second_team_for_a_delegated_seller(team):
    make_delegated_store(team, seller_id=SELLER_ID)
    rival = Team.objects.create(name="Rival team")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_delegated_store(rival, seller_id=SELLER_ID)


def test_authorizations_in_a_team_wait_for_each_other(team):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        hold_team_authorizations(team.pk)

    [lock] = [q["sql"] for q in queries.captured_queries if "stores_team" in q["sql"]]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in lock
