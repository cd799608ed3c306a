from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from stores.lifecycle import StoreStatus
from stores.models import Membership
from stores.services import renewal

from .factories import make_store


def test_rejected_password_emails_the_team_once_in_three_languages(
    team, member, simulator_control, django_capture_on_commit_callbacks
):
    member.email = "lin@example.invalid"
    member.save()
    colleague = get_user_model().objects.create_user(
        "chen", email="chen@example.invalid"
    )
    Membership.objects.create(team=team, user=colleague)
    store = make_store(
        team, password="old-password-1", expires_in=timedelta(minutes=30)
    )

    with django_capture_on_commit_callbacks(execute=True):
        renewal.renew_store_token(store.pk)
        renewal.renew_store_token(store.pk, force=True)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["chen@example.invalid", "lin@example.invalid"]
    assert store.name in message.subject
    assert "需要重新授权" in message.subject
    assert f"/stores/{store.pk}/" in message.body
    assert "old-password-1" not in message.body


def test_the_mail_keeps_names_as_typed_and_reaches_only_who_sees_the_store(
    team, member, simulator_control
):
    from stores.services.notifications import notify_reauthorization_needed

    from .factories import make_member

    member.email = "lin@example.invalid"
    member.save()
    store = make_store(team, name="O'Brien & <Co>")
    other = make_store(team, login="second-shop-api", name="Other")
    limited = make_member(team, "sub", limited_to=[other])
    limited.email = "sub@example.invalid"
    limited.save()

    notify_reauthorization_needed(store)

    [message] = mail.outbox
    assert message.to == ["lin@example.invalid"]
    assert "O'Brien & <Co>" in message.subject
    assert "O'Brien & <Co>" in message.body
    assert "&amp;" not in message.body


def test_an_octopia_store_is_told_about_its_client_not_a_password(team, member):
    from stores.services.notifications import notify_reauthorization_needed
    from tests.octopia.factories import make_own_client_store

    member.email = "lin@example.invalid"
    member.save()

    notify_reauthorization_needed(make_own_client_store(team))

    body = mail.outbox[0].body
    assert "client ID and secret" in body
    assert "API password" not in body


def test_every_page_shows_a_banner_until_the_store_is_fixed(member_client, team):
    store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)

    for url in (reverse("stores:list"), reverse("stores:help")):
        assert (
            "rejected the credentials of 1 store"
            in member_client.get(url).content.decode()
        )

    type(store).objects.filter(pk=store.pk).update(status=StoreStatus.ACTIVE)
    assert (
        "rejected the credentials"
        not in member_client.get(reverse("stores:list")).content.decode()
    )


def test_the_banner_speaks_of_one_store_as_one(member_client, team):
    make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)

    page = member_client.get(reverse("stores:list")).content.decode()

    assert "Re-authorize it with the new credentials" in page


def test_a_failing_store_shows_when_it_is_retried(member_client, team):
    from django.utils import timezone

    store = make_store(team, status=StoreStatus.RENEWAL_FAILING)
    type(store).objects.filter(pk=store.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    page = member_client.get(reverse("stores:detail", args=[store.pk])).content
    assert "a retry after the last failure" in page.decode()


def test_banner_counts_only_the_users_own_teams(member_client, db):
    from stores.models import Team

    other = Team.objects.create(name="Elsewhere")
    make_store(other, status=StoreStatus.NEEDS_REAUTHORIZATION)

    assert (
        "rejected the credentials"
        not in member_client.get(reverse("stores:list")).content.decode()
    )


def test_admin_attention_filter_lists_expiring_and_failing_stores(admin_client, team):
    make_store(
        team, login="soon-api", name="Expiring soon", expires_in=timedelta(hours=2)
    )
    make_store(
        team, login="fine-api", name="Fine store", expires_in=timedelta(hours=40)
    )
    make_store(
        team,
        login="failing-api",
        name="Failing store",
        status=StoreStatus.RENEWAL_FAILING,
    )
    changelist = reverse("admin:stores_store_changelist")

    expiring = admin_client.get(changelist, {"attention": "expiring"}).content.decode()
    failing = admin_client.get(changelist, {"attention": "failing"}).content.decode()

    assert "Expiring soon" in expiring and "Fine store" not in expiring
    assert "Failing store" in failing and "Expiring soon" not in failing
