"""A day's work on stores, in the browser: find, open, fix, pause, delete."""

import pytest
from playwright.sync_api import expect

from stores.lifecycle import StoreStatus
from stores.models import Role, Store

from ..stores.factories import make_member, make_store
from .conftest import screenshot
from .test_authorize_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shelf(team):
    """Three stores of the member's team, one needing a new password."""
    return {
        "flagship": make_store(team, name="Shenzhen flagship"),
        "outlet": make_store(team, login="second-shop-api", name="Lyon outlet"),
        "stale": make_store(
            team,
            login="rejected-api",
            name="Old warehouse",
            status=StoreStatus.NEEDS_REAUTHORIZATION,
        ),
    }


def test_search_and_filter_narrow_the_list(page, live_server, member, shelf):
    log_in(page, live_server, member.username)

    page.get_by_role("searchbox", name="Search").fill("lyon")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("link", name="Lyon outlet")).to_be_visible()
    expect(page.get_by_role("link", name="Shenzhen flagship")).to_have_count(0)
    screenshot(page, "actions-01-search")

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Status").select_option("needs_reauthorization")
    page.get_by_role("button", name="Apply", exact=True).click()
    rows = page.locator("table.stores tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Old warehouse")
    expect(rows.first).to_contain_text(
        "Re-authorize the store with the new API password"
    )


def test_store_page_tests_the_connection_and_re_authorizes(
    page, live_server, member, shelf, simulator_control
):
    simulator_control.add_account("rejected-api", "New-pass-2025!")
    log_in(page, live_server, member.username)

    page.get_by_role("link", name="Shenzhen flagship").click()
    expect(page.get_by_role("heading", name="Shenzhen flagship")).to_be_visible()
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_text("Connection works")).to_be_visible()
    expect(page.locator(".check-result")).to_contain_text("Passed")
    screenshot(page, "actions-02-store-page")

    page.goto(f"{live_server.url}/stores/{shelf['stale'].pk}/")
    page.get_by_role("link", name="Re-authorize", exact=True).click()
    page.get_by_label("New API password").fill("New-pass-2025!")
    screenshot(page, "actions-03-reauthorize")
    page.get_by_role("button", name="Re-authorize").click()

    expect(page.get_by_text("is re-authorized")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Active")
    assert "New-pass-2025!" not in page.content()


def test_pause_resume_and_delete_with_confirmation(page, live_server, member, shelf):
    log_in(page, live_server, member.username)
    page.get_by_role("link", name="Lyon outlet").click()

    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("is paused")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Paused")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("h1 .badge")).to_have_text("Active")

    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete “Lyon outlet”?")).to_be_visible()
    screenshot(page, "actions-04-delete-confirmation")
    page.get_by_role("button", name="Delete").click()

    expect(page.get_by_text("“Lyon outlet” is deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Lyon outlet")).to_have_count(0)
    assert not Store.objects.filter(pk=shelf["outlet"].pk).exists()


def test_bulk_pause_from_the_list_with_the_keyboard(page, live_server, member, shelf):
    log_in(page, live_server, member.username)

    for name in ("Shenzhen flagship", "Lyon outlet"):
        page.get_by_label(f"Select “{name}”").focus()
        page.keyboard.press("Space")
    page.get_by_label("With the selected stores").select_option("pause")
    page.get_by_role("button", name="Apply to selected").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("2 stores paused.")).to_be_visible()
    paused = Store.objects.filter(status=StoreStatus.PAUSED)
    assert set(paused.values_list("name", flat=True)) == {
        "Shenzhen flagship",
        "Lyon outlet",
    }


def test_a_viewer_sees_no_action_buttons(page, live_server, team, shelf):
    viewer = make_member(team, "wang", role=Role.VIEWER)
    log_in(page, live_server, viewer.username)

    expect(page.get_by_role("link", name="Shenzhen flagship")).to_be_visible()
    expect(page.get_by_role("button", name="Apply to selected")).to_have_count(0)
    page.get_by_role("link", name="Shenzhen flagship").click()

    expect(page.get_by_role("heading", name="Shenzhen flagship")).to_be_visible()
    for action in ("Test connection", "Pause"):
        expect(page.get_by_role("button", name=action)).to_have_count(0)
    for action in ("Re-authorize", "Rename", "Delete"):
        expect(page.get_by_role("link", name=action, exact=True)).to_have_count(0)
    screenshot(page, "actions-05-viewer")


def test_phone_width_store_page_fits(browser, live_server, member, shelf):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, member.username)
    page.goto(f"{live_server.url}/stores/{shelf['stale'].pk}/")

    expect(page.get_by_role("link", name="Re-authorize", exact=True)).to_be_visible()
    screenshot(page, "actions-06-phone-store-page")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390
