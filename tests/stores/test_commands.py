from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from stores.lifecycle import StoreStatus
from stores.models import Membership, Team

from .factories import make_store


def test_addmember_creates_team_and_user_with_the_password_from_env(db, monkeypatch):
    monkeypatch.setenv("CDAUTH_MEMBER_PASSWORD", "Long-enough-pass-42")

    call_command("addmember", "Yiwu Sellers", "zhang")

    user = get_user_model().objects.get(username="zhang")
    assert user.check_password("Long-enough-pass-42")
    assert Membership.objects.filter(team__name="Yiwu Sellers", user=user).exists()


def test_addmember_adds_an_existing_user_without_touching_the_password(
    member, monkeypatch
):
    monkeypatch.delenv("CDAUTH_MEMBER_PASSWORD", raising=False)

    call_command("addmember", "Another team", member.username)

    member.refresh_from_db()
    assert member.check_password("correct-horse-battery")
    assert set(
        Team.objects.filter(membership__user=member).values_list("name", flat=True)
    ) == {
        "Shenzhen Trading",
        "Another team",
    }


def test_addmember_without_a_password_for_a_new_user_says_what_to_set(db, monkeypatch):
    monkeypatch.delenv("CDAUTH_MEMBER_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="CDAUTH_MEMBER_PASSWORD"):
        call_command("addmember", "Team", "newbie")
    assert not Team.objects.exists()


def test_addmember_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("CDAUTH_MEMBER_PASSWORD", "123")

    with pytest.raises(CommandError, match="too short"):
        call_command("addmember", "Team", "weak")


def test_refresh_tokens_renews_due_stores_only(team, simulator_control, capsys):
    due = make_store(team, login="demo-shop-api", expires_in=timedelta(minutes=30))
    make_store(team, login="second-shop-api", password="Second-2024!")

    call_command("refresh_tokens")

    assert simulator_control.token_requests("demo-shop-api") == 1
    assert simulator_control.token_requests("second-shop-api") == 0
    assert "renewed: 1" in capsys.readouterr().out
    due.refresh_from_db()
    assert due.token_expires_at.date() >= due.updated_at.date()


def test_refresh_tokens_all_renews_every_renewable_store(team, simulator_control):
    make_store(team, login="demo-shop-api")
    make_store(team, login="second-shop-api", password="Second-2024!")
    make_store(team, login="paused-api", status=StoreStatus.PAUSED)

    call_command("refresh_tokens", "--all")

    stats = simulator_control.stats()["token_requests"]
    assert stats.get("demo-shop-api") == stats.get("second-shop-api") == 1
    assert "paused-api" not in stats
