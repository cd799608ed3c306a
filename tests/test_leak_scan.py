"""No password, token or client secret ever leaves the database in the clear.

Stores are authorized through the real form against the simulator with
distinctive credentials. Then every dashboard page, admin page and admin
action, the management commands, every log record (root logger at DEBUG)
and every e-mail is collected and searched for those secrets, in the forms
they could take on the way (HTML-escaped, URL-encoded, JSON-escaped, as an
HTTP Basic header).
"""

import base64
import html
import io
import itertools
import json
import logging
import re
from urllib.parse import quote, quote_plus

import pytest
from django.conf import settings
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.log import AdminEmailHandler

from stores import crypto
from stores.cdiscount.token_service import IssuedToken
from stores.credentials import CallCredentials
from stores.lifecycle import LifecycleEvent
from stores.models import Membership, Store, StoreEvent
from stores.services import legacy_check

from .conftest import MEMBER_PASSWORD
from .stores.factories import make_store

ACCOUNTS = {
    "leakscan-one-api": "Lk1-Pässwörd-7q!",
    "leakscan-two-api": "Lk2-密码-Zz9#x",
}
REJECTED_PASSWORD = "Lk-rejected-Yy4%"
WRONG_DASHBOARD_PASSWORD = "Lk-wrong-dashboard-8P"
CLIENT_SECRET = "Lk-octopia-client-secret-Qw8e"
# Everything reached through the dashboard namespace is fetched with every
# value of its URL parameters; a parameter not listed here fails the scan, so
# a new page cannot be left out silently.
FIXED_URL_VALUES = {"uidb64": ["MQ"], "token": ["set-password"]}
# Buttons that reach Cdiscount or change a store, pressed for every store.
ACTIONS_TO_PRESS = ("stores:test_connection", "stores:pause", "stores:resume")
# The simulator is a test double of Cdiscount, not the app: what it logs
# about the credentials it receives is not a leak.
NOT_THE_APP = ("simulator",)


class Collected:
    """Everything the app let out, by where it came from."""

    def __init__(self):
        self.texts: list[tuple[str, str]] = []

    def add(self, source: str, text) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        self.texts.append((source, str(text)))

    def add_response(self, source: str, response) -> None:
        self.add(source, response.content)
        self.add(f"{source} headers", response.headers)
        self.add(f"{source} cookies", response.cookies.output())


class RecordEverything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        if not record.name.startswith(NOT_THE_APP):
            self.records.append(record)

    def texts(self):
        formatter = logging.Formatter()
        for record in self.records:
            yield record.name, formatter.format(record)
            yield f"{record.name} args", repr(record.args)


def forms_of(secret: str, login: str = "") -> set[str]:
    """The ways ``secret`` could be written down on its way out."""
    forms = {
        secret,
        html.escape(secret),
        html.escape(secret, quote=False),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    if login:
        basic = f"{login}:{secret}".encode()
        forms.add(base64.b64encode(basic).decode())
    return {form for form in forms if form}


def leaks(collected: Collected, secrets: dict[str, set[str]]) -> list[str]:
    found = []
    for source, text in collected.texts:
        lowered = text.lower()
        for name, forms in secrets.items():
            if any(form.lower() in lowered for form in forms):
                found.append(f"{name} in {source}")
    return sorted(set(found))


@pytest.fixture
def all_logs():
    """Every record from every logger, with the root at DEBUG.

    zeep and urllib3 keep the levels settings.LOGGING gives them: those
    levels are what keeps SOAP envelopes and request lines out of the logs.
    """
    handler = RecordEverything()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous_level)


@pytest.fixture
def generous_limits(settings):
    settings.CDAUTH_ACTION_RATE_USER = "100/10m"
    settings.CDAUTH_ACTION_RATE_TEAM = "100/10m"


def route_templates(resolver=None, prefix="", namespace=""):
    """Every named URL: (name, route with its <parameters>)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from route_templates(pattern, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", route


def dashboard_urls(values: dict[str, list]) -> list[str]:
    urls = []
    for name, route in route_templates():
        if name.startswith("admin:"):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        missing = [param for param in params if param not in values]
        assert not missing, f"teach the leak scan to fill {missing} of {name}"
        for combination in itertools.product(*(values[param] for param in params)):
            urls.append(
                reverse(name, kwargs=dict(zip(params, combination, strict=True)))
            )
    return sorted(set(urls))


def named_url_exists(name: str) -> bool:
    return name in {route_name for route_name, _ in route_templates()}


def authorize(client, team, login, password):
    return client.post(
        reverse("stores:authorize"),
        {
            "team": team.pk,
            "name": f"Shop {login}",
            "api_login": login,
            "api_password": password,
            "environment": "simulator",
        },
    )


def run_command(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def stored_tokens() -> set[str]:
    return {
        crypto.decrypt(store.token_ciphertext)
        for store in Store.objects.exclude(token_ciphertext="")
    }


@pytest.mark.usefixtures("generous_limits")
def test_no_secret_appears_in_pages_admin_commands_logs_or_mails(
    all_logs,
    simulator_control,
    team,
    member,
    admin_user,
    queued_renewals,
    django_capture_on_commit_callbacks,
):
    out = Collected()
    member.email = "lin@example.invalid"
    member.save()
    for login, password in ACCOUNTS.items():
        simulator_control.add_account(login, password)

    # A mistyped dashboard password, then the member logs in for real.
    member_client = Client()
    out.add_response(
        "failed login",
        member_client.post(
            reverse("login"),
            {"username": member.username, "password": WRONG_DASHBOARD_PASSWORD},
        ),
    )
    out.add_response(
        "login",
        member_client.post(
            reverse("login"),
            {"username": member.username, "password": MEMBER_PASSWORD},
        ),
    )

    # Authorize through the form, once with a password Cdiscount rejects.
    for login, password in ACCOUNTS.items():
        out.add_response(
            f"authorize {login}", authorize(member_client, team, login, password)
        )
    out.add_response(
        "rejected authorize",
        authorize(member_client, team, "leakscan-one-api", REJECTED_PASSWORD),
    )
    stores = list(Store.objects.order_by("pk"))
    assert [store.api_login for store in stores] == list(ACCOUNTS)
    tokens = stored_tokens()
    # An Octopia client secret, sealed like a password.
    Store.objects.filter(pk=stores[0].pk).update(
        client_secret_ciphertext=crypto.encrypt(CLIENT_SECRET)
    )

    # Renewals issue new tokens; a password changed at Cdiscount is rejected
    # at the next renewal, which e-mails the team.
    out.add("refresh_tokens", run_command("refresh_tokens", "--all"))
    tokens |= stored_tokens()
    simulator_control.change_account(
        "leakscan-two-api", password="Changed-at-Cdiscount-3M"
    )
    with django_capture_on_commit_callbacks(execute=True):
        out.add("refresh_tokens again", run_command("refresh_tokens", "--all"))
    out.add("rotate_encryption_keys", run_command("rotate_encryption_keys"))
    out.add_response(
        "password reset",
        Client().post(reverse("password_reset"), {"email": member.email}),
    )

    # Every dashboard page, with every value of its parameters.
    memberships = list(
        Membership.objects.filter(team=team).values_list("pk", flat=True)
    )
    values = {
        "store_id": [store.pk for store in stores],
        "pk": [store.pk for store in stores],
        "team_id": [team.pk],
        "membership_id": memberships,
        **FIXED_URL_VALUES,
    }
    for url in dashboard_urls(values):
        response = member_client.get(url)
        # /healthz answers 503 on purpose while no sweep has run.
        assert response.status_code != 500, url
        out.add_response(f"GET {url}", response)
    for name in ACTIONS_TO_PRESS:
        if not named_url_exists(name):
            continue
        for store in stores:
            url = reverse(name, kwargs={"store_id": store.pk})
            response = member_client.post(url, follow=True)
            assert response.status_code != 500, url
            out.add_response(f"POST {url}", response)

    # Every admin page of every registered model, and the admin actions.
    admin_client = Client()
    admin_client.force_login(admin_user)
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages = [reverse(f"admin:{info}_changelist"), reverse(f"admin:{info}_add")]
        for pk in model.objects.values_list("pk", flat=True)[:20]:
            for view in ("change", "history", "delete"):
                pages.append(reverse(f"admin:{info}_{view}", args=[pk]))
        for url in pages:
            response = admin_client.get(url)
            assert response.status_code != 500, url
            out.add_response(f"admin GET {url}", response)
    out.add_response("admin index", admin_client.get(reverse("admin:index")))
    changelist = reverse("admin:stores_store_changelist")
    selected = [store.pk for store in stores]
    for action in ("renew_token_now", "delete_selected"):
        response = admin_client.post(
            changelist,
            {"action": action, "_selected_action": selected},
            follow=True,
        )
        assert response.status_code != 500, action
        out.add_response(f"admin action {action}", response)

    for message in mail.outbox:
        out.add(f"mail {message.subject!r}", message.message().as_string())
        out.add(f"mail {message.subject!r} body", message.body)
        for content, _ in getattr(message, "alternatives", []):
            out.add(f"mail {message.subject!r} html", content)
    for source, text in all_logs.texts():
        out.add(f"log {source}", text)

    secrets = {
        f"password of {login}": forms_of(password, login)
        for login, password in ACCOUNTS.items()
    }
    secrets |= {
        "rejected password": forms_of(REJECTED_PASSWORD, "leakscan-one-api"),
        "dashboard password": forms_of(MEMBER_PASSWORD, member.username),
        "mistyped dashboard password": forms_of(WRONG_DASHBOARD_PASSWORD),
        "client secret": forms_of(CLIENT_SECRET),
        "Django secret key": forms_of(settings.SECRET_KEY),
        **{
            f"encryption key {i}": forms_of(key)
            for i, key in enumerate(settings.FIELD_ENCRYPTION_KEYS)
        },
        **{f"token {token[:4]}…": forms_of(token) for token in tokens},
    }

    # The scan saw what it claims to have seen.
    assert len(tokens) >= 4
    # The password reset and the notice that a store needs re-authorization.
    assert len(mail.outbox) >= 2, [message.subject for message in mail.outbox]
    assert any("refused" in text or "rejected" in text for _, text in out.texts)
    assert StoreEvent.objects.filter(kind=LifecycleEvent.CREDENTIALS_REJECTED).exists()
    assert len(out.texts) > 100

    assert leaks(out, secrets) == []


def test_the_scan_finds_a_secret_in_any_of_its_forms():
    out = Collected()
    out.add("page", "<p>Lk2-密码-Zz9#x</p>")
    out.add("query", "?p=Lk1-P%C3%A4ssw%C3%B6rd-7q%21")
    out.add("json", '{"p": "Lk2-\\u5bc6\\u7801-Zz9#x"}')
    out.add(
        "header",
        "Authorization: Basic "
        + base64.b64encode("leakscan-one-api:Lk1-Pässwörd-7q!".encode()).decode(),
    )
    out.add("escaped", "O&#x27;Reilly-Secret")

    found = leaks(
        out,
        {
            "one": forms_of("Lk1-Pässwörd-7q!", "leakscan-one-api"),
            "two": forms_of("Lk2-密码-Zz9#x"),
            "quote": forms_of("O'Reilly-Secret"),
        },
    )

    assert found == [
        "one in header",
        "one in query",
        "quote in escaped",
        "two in json",
        "two in page",
    ]


SECRET_IN_500 = "Lk-five-hundred-Pw7!"


def post_authorize(client, team, store):
    return authorize(client, team, "five-hundred-api", SECRET_IN_500)


def post_reauthorize(client, team, store):
    url = reverse("stores:reauthorize", kwargs={"store_id": store.pk})
    return client.post(url, {"api_password": SECRET_IN_500})


@pytest.mark.usefixtures("generous_limits")
@pytest.mark.parametrize("post", [post_authorize, post_reauthorize])
def test_a_server_error_reports_nothing_secret(
    settings, simulator_control, team, member, monkeypatch, post
):
    """A failure after Cdiscount accepted the password: page and mailed report.

    The report is also rendered as HTML, as a DEBUG page or an admin handler
    with include_html would show it, with every frame's local variables.
    """
    if post is post_reauthorize and not named_url_exists("stores:reauthorize"):
        pytest.skip("no re-authorize page in this version")
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@example.invalid")]
    simulator_control.add_account("five-hundred-api", SECRET_IN_500)
    store = make_store(team, login="five-hundred-api")

    def database_went_away(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Store, "save", database_went_away)
    issued = []
    request_token = legacy_check.request_token

    def keep_issued_token(*args, **kwargs):
        # Returns before the failure, so its frame is not in the report.
        token = request_token(*args, **kwargs)
        issued.append(token.value)
        return token

    monkeypatch.setattr(legacy_check, "request_token", keep_issued_token)
    html_reports = AdminEmailHandler(include_html=True)
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(html_reports)
    client = Client(raise_request_exception=False)
    client.force_login(member)
    try:
        response = post(client, team, store)
    finally:
        request_logger.removeHandler(html_reports)

    out = Collected()
    out.add_response("500 page", response)
    for message in mail.outbox:
        out.add(f"mail {message.subject}", message.message().as_string())
        out.add(f"mail {message.subject} body", message.body)
        for content, _ in getattr(message, "alternatives", []):
            out.add(f"mail {message.subject} html", content)
    secrets = {
        "password": forms_of(SECRET_IN_500, "five-hundred-api"),
        "token": forms_of(issued[-1]),
    }
    assert response.status_code == 500
    text_report, html_report = sorted(
        mail.outbox, key=lambda message: bool(message.alternatives)
    )
    assert "database went away" in text_report.body
    # The field is named, its value replaced by stars.
    assert "api_password" in text_report.body
    assert "database went away" in html_report.alternatives[0][0]

    assert leaks(out, secrets) == []


def test_models_and_value_objects_never_print_their_secrets(team):
    from datetime import timedelta

    from django.utils import timezone

    token_value = "0123456789abcdef0123456789abcdef"
    store = make_store(team, password="Str-Repr-Pw9!", token=token_value)
    event = StoreEvent.objects.create(
        team=team, store=store, store_label="Shop (x-api)", kind="renewed",
        outcome="success",
    )  # fmt: skip
    now = timezone.now()
    issued = IssuedToken(
        value=token_value, issued_at=now, expires_at=now + timedelta(hours=48)
    )
    credentials = CallCredentials(token=token_value, seller_id="42")

    printed = " ".join(
        text
        for thing in (store, event, issued, credentials)
        for text in (str(thing), repr(thing))
    )

    assert "Str-Repr-Pw9!" not in printed
    assert token_value not in printed
    assert store.password_ciphertext not in printed
    assert "42" in printed
