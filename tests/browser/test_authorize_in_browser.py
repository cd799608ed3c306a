import pytest
from playwright.sync_api import expect

from stores.models import Store

from ..conftest import MEMBER_PASSWORD
from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_member_logs_in_authorizes_a_simulator_store_and_sees_it_listed(
    page, live_server, member
):
    log_in(page, live_server, member.username)
    expect(page.get_by_role("heading", name="Authorized stores")).to_be_visible()
    screenshot(page, "01-empty-list")

    page.get_by_role("link", name="Authorize a store").first.click()
    page.get_by_label("Legacy API: login and password").check()
    page.get_by_label("Store name").fill("Shenzhen flagship")
    page.get_by_label("API login").fill("demo-shop-api")
    page.get_by_label("API password").fill("Demo-2024!")
    page.get_by_label("Environment").select_option("simulator")
    screenshot(page, "02-authorize-form")
    page.get_by_role("button", name="Authorize", exact=True).click()

    expect(page.get_by_text("“Shenzhen flagship” is authorized.")).to_be_visible()
    row = page.get_by_role("row", name="Shenzhen flagship")
    expect(row).to_contain_text("Boutique Démo")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("in 47 hours")
    screenshot(page, "03-store-listed")
    assert Store.objects.get().api_login == "demo-shop-api"
    assert "Demo-2024!" not in page.content()


def test_rejected_password_shows_the_fix_and_keeps_the_form(page, live_server, member):
    log_in(page, live_server, member.username)
    page.goto(f"{live_server.url}/stores/add/")
    page.get_by_label("Legacy API: login and password").check()
    page.get_by_label("Store name").fill("Wrong password")
    page.get_by_label("API login").fill("demo-shop-api")
    page.get_by_label("API password").fill("not-it")
    page.get_by_label("Environment").select_option("simulator")
    page.get_by_role("button", name="Authorize", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("rejected this API login")
    expect(page.get_by_label("API login")).to_have_value("demo-shop-api")
    expect(page.get_by_label("API password")).to_have_value("")
    screenshot(page, "04-rejected-password")


def test_language_switcher_shows_the_dashboard_in_chinese(page, live_server, member):
    log_in(page, live_server, member.username)

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()

    expect(page.get_by_role("heading", name="查看授权店铺")).to_be_visible()
    screenshot(page, "05-chinese")


def test_phone_width_list_stays_readable(browser, live_server, member, team):
    from ..stores.factories import make_store

    make_store(team, name="Phone shop")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, member.username)

    expect(page.get_by_role("link", name="Phone shop")).to_be_visible()
    screenshot(page, "06-phone-list")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390
