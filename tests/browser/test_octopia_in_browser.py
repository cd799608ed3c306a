"""Authorize one store of each kind, and switch one, in Chromium."""

import pytest
from playwright.sync_api import expect

from stores.models import CredentialKind, Store

from ..conftest import MEMBER_PASSWORD
from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DELEGATED = "Octopia: link cdauth to your account"
OWN_CLIENT = "Octopia: your own API client"
LEGACY = "Legacy API: login and password"


@pytest.fixture(autouse=True)
def platform_client(settings):
    settings.OCTOPIA_CLIENT_ID = "cdauth-platform"
    settings.OCTOPIA_CLIENT_SECRET = "platform-secret"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_authorize_form(page, live_server):
    page.goto(f"{live_server.url}/stores/add/")
    expect(page.get_by_role("heading", name="Authorize a store")).to_be_visible()


def submit(page):
    page.get_by_role("button", name="Authorize", exact=True).click()


def test_member_authorizes_one_store_of_each_kind(page, live_server, member):
    log_in(page, live_server, member.username)
    open_authorize_form(page, live_server)

    # Delegated is offered first: only the SellerId, and cdauth's client ID.
    expect(page.get_by_label(DELEGATED)).to_be_checked()
    expect(page.get_by_label("cdauth's client ID")).to_have_value("cdauth-platform")
    expect(page.get_by_label("SellerId")).to_be_visible()
    expect(page.get_by_label("Client secret")).to_be_hidden()
    expect(page.get_by_label("API password")).to_be_hidden()
    screenshot(page, "octopia-01-delegated-form")
    page.get_by_label("Store name").fill("Delegated shop")
    page.get_by_label("SellerId").fill("200001")
    page.get_by_label("Environment").select_option("simulator")
    submit(page)
    expect(page.get_by_text("“Delegated shop” is authorized.")).to_be_visible()

    open_authorize_form(page, live_server)
    page.get_by_label(OWN_CLIENT).check()
    expect(page.get_by_label("Client secret")).to_be_visible()
    expect(page.get_by_label("cdauth's client ID")).to_be_hidden()
    page.get_by_label("Store name").fill("Own client shop")
    page.get_by_label("SellerId").fill("100001")
    page.get_by_label("Client ID", exact=True).fill("demo-client")
    page.get_by_label("Client secret").fill("demo-secret")
    page.get_by_label("Environment").select_option("simulator")
    screenshot(page, "octopia-02-own-client-form")
    submit(page)
    expect(page.get_by_text("“Own client shop” is authorized.")).to_be_visible()

    open_authorize_form(page, live_server)
    page.get_by_label(LEGACY).check()
    expect(page.get_by_text("retired by Cdiscount in 2025")).to_be_visible()
    expect(page.get_by_label("SellerId")).to_be_hidden()
    page.get_by_label("Store name").fill("Legacy shop")
    page.get_by_label("API login").fill("demo-shop-api")
    page.get_by_label("API password").fill("Demo-2024!")
    page.get_by_label("Environment").select_option("simulator")
    screenshot(page, "octopia-03-legacy-form")
    submit(page)
    expect(page.get_by_text("“Legacy shop” is authorized.")).to_be_visible()

    for name, shop in [
        ("Delegated shop", "Plateforme Vendeur Un"),
        ("Own client shop", "Boutique Octopia"),
        ("Legacy shop", "Boutique Démo"),
    ]:
        row = page.get_by_role("row", name=name)
        expect(row).to_contain_text(shop)
        expect(row).to_contain_text("Active")
    screenshot(page, "octopia-04-three-kinds-listed")
    assert dict(Store.objects.values_list("name", "credential_kind")) == {
        "Delegated shop": CredentialKind.OCTOPIA_DELEGATED,
        "Own client shop": CredentialKind.OCTOPIA_OWN,
        "Legacy shop": CredentialKind.LEGACY,
    }
    assert "demo-secret" not in page.content()


def test_unlinked_seller_is_told_what_to_do(page, live_server, member):
    log_in(page, live_server, member.username)
    open_authorize_form(page, live_server)
    page.get_by_label("Store name").fill("Not linked yet")
    page.get_by_label("SellerId").fill("200003")
    page.get_by_label("Environment").select_option("simulator")
    submit(page)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("is not linked to it yet")
    expect(alert).to_contain_text("API Credentials Management")
    # The chosen kind survives the failed post, with its fields shown.
    expect(page.get_by_label(DELEGATED)).to_be_checked()
    expect(page.get_by_label("SellerId")).to_have_value("200003")
    screenshot(page, "octopia-05-not-linked")


def test_legacy_store_is_switched_to_octopia_in_place(page, live_server, member, team):
    from ..stores.factories import make_store

    store = make_store(team, name="Moving shop")
    log_in(page, live_server, member.username)
    page.goto(f"{live_server.url}/stores/?kind=legacy")
    expect(page.get_by_role("row", name="Moving shop")).to_be_visible()
    screenshot(page, "octopia-06-legacy-only")

    page.get_by_role("link", name="Moving shop").click()
    page.get_by_role("link", name="Switch to Octopia").click()
    expect(page.get_by_label(DELEGATED)).to_be_checked()
    page.get_by_label("SellerId").fill("200002")
    screenshot(page, "octopia-07-switch-form")
    page.get_by_role("button", name="Check and switch").click()

    expect(page.get_by_text("now connects with")).to_be_visible()
    screenshot(page, "octopia-08-switched")
    store.refresh_from_db()
    assert store.credential_kind == CredentialKind.OCTOPIA_DELEGATED
    assert store.name == "Moving shop"


def test_phone_width_form_stays_readable(browser, live_server, member):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, member.username)
    open_authorize_form(page, live_server)
    page.get_by_label(OWN_CLIENT).check()

    screenshot(page, "octopia-09-phone-form")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390


def test_help_explains_each_way_step_by_step(page, live_server, member):
    log_in(page, live_server, member.username)
    page.goto(f"{live_server.url}/stores/help/")

    for heading in [
        "Octopia, delegated to cdauth",
        "Octopia with your own API client",
        "Legacy API: login and password",
        "Moving a legacy store to Octopia",
    ]:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    screenshot(page, "octopia-10-help")
