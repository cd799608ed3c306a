"""Security headers, the content security policy and cookies."""

import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from .stores.factories import make_store
from .test_settings import PRODUCTION, run_manage

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# Mail clients ignore a CSP and HTML mail needs inline styles.
EMAIL_TEMPLATES = "email"

# What a browser would refuse to run or apply under the policy.
INLINE_CODE = {
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc=)[^>]*>|<script\b[^>]*>\s*[^<\s]", re.IGNORECASE
    ),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def inline_code_in(html: str) -> list[str]:
    return [name for name, pattern in INLINE_CODE.items() if pattern.search(html)]


def policy_of(response) -> dict[str, str]:
    directives = response["Content-Security-Policy"].split(";")
    return dict(
        directive.strip().split(" ", 1) for directive in directives if directive.strip()
    )


def template_files():
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            if EMAIL_TEMPLATES not in path.relative_to(folder).parts:
                yield path


def test_the_inline_code_scan_finds_what_it_looks_for():
    samples = {
        "<script>alert(1)</script>": ["inline <script>"],
        '<script type="module">go()</script>': ["inline <script>"],
        '<p style="color:red">': ["style= attribute"],
        "<style>p{}</style>": ["<style> element"],
        '<a href="#" onclick="go()">': ["event handler attribute"],
        '<a href="javascript:go()">': ["javascript: URL"],
        '<script src="/static/js/a.js" defer></script>': [],
        '<input name="store" class="js-select-all">': [],
    }
    for html, expected in samples.items():
        assert inline_code_in(html) == expected, html


def test_templates_hold_no_inline_script_or_style():
    found = {
        str(path.relative_to(ROOT)): inline_code_in(path.read_text())
        for path in template_files()
    }

    assert len(found) > 5
    assert {path: kinds for path, kinds in found.items() if kinds} == {}


@pytest.mark.parametrize("page", ["login", "stores:list", "stores:authorize"])
def test_dashboard_pages_send_the_policy_and_security_headers(
    member_client, team, page
):
    make_store(team)

    response = member_client.get(reverse(page))

    assert response.status_code == 200
    assert policy_of(response) == EXPECTED_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert inline_code_in(response.content.decode()) == []


def admin_pages(store, team):
    yield reverse("admin:index")
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        yield reverse("admin:{}_{}_add".format(*info))
    yield reverse("admin:stores_store_change", args=[store.pk])
    yield reverse("admin:stores_team_change", args=[team.pk])


def test_admin_pages_work_under_the_policy(admin_client, team):
    """Django 5.2's admin needs no inline code, so it needs no exception.

    The browser test in tests/browser checks that no page reports a CSP
    violation; this one checks every admin page we register, quickly.
    """
    store = make_store(team)

    for url in admin_pages(store, team):
        response = admin_client.get(url)
        assert response.status_code in (200, 403), url
        if response.status_code == 200:
            assert policy_of(response) == EXPECTED_POLICY, url
            assert inline_code_in(response.content.decode()) == [], url


def test_production_sends_the_session_cookie_secure_and_http_only(tmp_path):
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        "get_user_model().objects.create_user('ops', password='Long-pass-9-x')\n"
        "client = Client(HTTP_HOST='cdauth.example.com')\n"
        "response = client.post('/accounts/login/', "
        "{'username': 'ops', 'password': 'Long-pass-9-x'}, secure=True)\n"
        "print(response.status_code)\n"
        "print(response.cookies['sessionid'].output())\n"
        "from django.conf import settings\n"
        "print('csrf', settings.CSRF_COOKIE_SECURE, settings.CSRF_COOKIE_HTTPONLY)\n"
    )

    migrated = run_manage("migrate", "-v0", tmp_path=tmp_path, **PRODUCTION)
    result = run_manage("shell", "-c", script, tmp_path=tmp_path, **PRODUCTION)

    assert migrated.returncode == 0, migrated.stderr
    assert result.returncode == 0, result.stderr
    status, cookie, csrf = result.stdout.strip().splitlines()[-3:]
    assert status == "302"
    assert "sessionid=" in cookie
    assert "; Secure" in cookie and "; HttpOnly" in cookie
    assert csrf == "csrf True True"


def test_production_redirects_plain_http_to_https(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.test import Client\n"
        "response = Client(HTTP_HOST='cdauth.example.com').get('/accounts/login/')\n"
        "print(response.status_code, response['Location'])\n",
        tmp_path=tmp_path,
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "301 https://cdauth.example.com/accounts/login/"
    )
