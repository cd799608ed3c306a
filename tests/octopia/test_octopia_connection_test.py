"""The "Test connection" button runs the Octopia authorization check again."""

from django.urls import reverse

from stores.models import Store

from .conftest import DELEGATED_SELLER_IDS, OWN_SELLER_ID
from .factories import make_delegated_store, make_own_client_store


def press_test_connection(client, store):
    return client.post(reverse("stores:test_connection", args=[store.pk]), follow=True)


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


def test_a_linked_delegated_seller_passes_and_its_shop_name_is_kept(
    member_client, team
):
    store = make_delegated_store(team, seller_id=DELEGATED_SELLER_IDS[0])

    response = press_test_connection(member_client, store)

    tested = Store.objects.get(pk=store.pk)
    assert tested.last_check_ok is True
    assert tested.shop_name == "Plateforme Vendeur Un"
    assert "GET /sellers" in shown_messages(response)[0]


def test_a_seller_who_unlinked_cdauth_fails_the_test(
    member_client, team, simulator_control
):
    seller_id = DELEGATED_SELLER_IDS[0]
    store = make_delegated_store(team, seller_id=seller_id)
    simulator_control.add_octopia_seller(seller_id, linked_clients=[])

    response = press_test_connection(member_client, store)

    tested = Store.objects.get(pk=store.pk)
    assert tested.last_check_ok is False
    assert tested.last_check_message.startswith("SellerNotLinked")
    assert "Connection test failed" in shown_messages(response)[0]


def test_an_own_client_no_longer_linked_fails_the_test(
    member_client, team, simulator_control
):
    store = make_own_client_store(team)
    simulator_control.add_octopia_seller(OWN_SELLER_ID, linked_clients=[])

    press_test_connection(member_client, store)

    tested = Store.objects.get(pk=store.pk)
    assert tested.last_check_ok is False
    assert tested.last_check_message.startswith("SellerNotLinked")
