"""Pages and admin work in Chromium under the content security policy."""

import pytest
from playwright.sync_api import expect

from ..stores.factories import make_store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    """Chromium reports each thing the policy blocked on the console."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return seen


def test_admin_scripts_run_and_nothing_is_blocked(
    page, live_server, admin_user, team, csp_violations
):
    store = make_store(team, name="Admin shop")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    page.goto(f"{live_server.url}/admin/stores/store/")
    # actions.js ticks every row and counts them: admin JavaScript runs.
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")

    for path in (
        f"/admin/stores/store/{store.pk}/change/",
        f"/admin/stores/team/{team.pk}/change/",
        "/admin/stores/storeevent/",
        "/admin/auth/user/add/",
        "/admin/axes/accessattempt/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()

    assert csp_violations == []


def test_dashboard_pages_report_no_violation(
    page, live_server, member, team, csp_violations
):
    from ..conftest import MEMBER_PASSWORD

    make_store(team, name="Listed shop")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(member.username)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Authorized stores")).to_be_visible()

    for path in ("/stores/add/", "/stores/help/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_be_visible()

    assert csp_violations == []
