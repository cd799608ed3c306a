"""Everyday actions on one store, through the pages that trigger them."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse

from stores import crypto
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import Store, StoreEvent
from stores.services import store_actions
from stores.services.renewal import RenewalOutcome, renew_store_token

from .factories import DEMO_PASSWORD, make_store

NEW_PASSWORD = "Changed-2025!"
ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def url(name, store):
    return reverse(f"stores:{name}", kwargs={"store_id": store.pk})


def events_of(store, kind):
    return list(
        StoreEvent.objects.filter(store_label__startswith=store.name, kind=kind)
    )


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


class TestPause:
    def test_pausing_stops_renewal_even_if_a_task_was_already_queued(
        self, member_client, member, team, simulator_control
    ):
        store = make_store(team, expires_in=timedelta(minutes=30))

        response = member_client.post(url("pause", store), follow=True)
        outcome = renew_store_token(store.pk, force=True)

        store.refresh_from_db()
        assert store.status == StoreStatus.PAUSED
        assert outcome == RenewalOutcome.SKIPPED
        assert simulator_control.token_requests("demo-shop-api") == 0
        assert "is paused" in shown_messages(response)[0]
        [event] = events_of(store, LifecycleEvent.PAUSED)
        assert event.actor == member

    def test_pausing_takes_the_claim_of_a_running_renewal(self, member_client, team):
        store = make_store(team)
        Store.objects.filter(pk=store.pk).update(claim_id="running-renewal")

        member_client.post(url("pause", store))

        store.refresh_from_db()
        assert store.claim_id == ""

    def test_a_store_whose_password_was_rejected_cannot_be_paused(
        self, member_client, team
    ):
        store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)

        response = member_client.post(url("pause", store), follow=True)

        store.refresh_from_db()
        assert store.status == StoreStatus.NEEDS_REAUTHORIZATION
        assert "nothing to pause" in shown_messages(response)[0]


class TestResume:
    def test_resuming_with_a_valid_token_makes_the_store_active(
        self, member_client, team, queued_renewals, django_capture_on_commit_callbacks
    ):
        store = make_store(team, status=StoreStatus.PAUSED)

        with django_capture_on_commit_callbacks(execute=True):
            member_client.post(url("resume", store))

        store.refresh_from_db()
        assert store.status == StoreStatus.ACTIVE
        assert queued_renewals == []
        assert len(events_of(store, LifecycleEvent.RESUMED)) == 1

    def test_resuming_after_the_token_ran_out_renews_at_once(
        self,
        member_client,
        member,
        team,
        queued_renewals,
        django_capture_on_commit_callbacks,
    ):
        store = make_store(
            team, status=StoreStatus.PAUSED, expires_in=timedelta(hours=-1)
        )

        with django_capture_on_commit_callbacks(execute=True):
            response = member_client.post(url("resume", store), follow=True)

        store.refresh_from_db()
        assert store.status == StoreStatus.EXPIRED
        assert queued_renewals == [
            ((store.pk,), {"force": True, "requested_by": member.pk})
        ]
        assert "ran out" in shown_messages(response)[0]

    def test_a_store_that_is_not_paused_is_left_alone(self, member_client, team):
        store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)

        member_client.post(url("resume", store))

        store.refresh_from_db()
        assert store.status == StoreStatus.NEEDS_REAUTHORIZATION
        assert events_of(store, LifecycleEvent.RESUMED) == []


class TestRename:
    def test_renaming_keeps_the_old_name_in_the_history(
        self, member_client, member, team
    ):
        store = make_store(team, name="Old name")

        member_client.post(url("rename", store), {"name": "New name"})

        store.refresh_from_db()
        assert store.name == "New name"
        event = StoreEvent.objects.get(kind=LifecycleEvent.RENAMED)
        assert event.store == store and event.actor == member
        assert "Old name" in event.reason and "New name" in event.reason

    def test_an_empty_name_is_refused(self, member_client, team):
        store = make_store(team, name="Kept")

        response = member_client.post(url("rename", store), {"name": "   "})

        store.refresh_from_db()
        assert response.status_code == 200 and store.name == "Kept"


class TestDelete:
    def test_get_asks_for_confirmation_and_changes_nothing(self, member_client, team):
        store = make_store(team, name="Still here")

        response = member_client.get(url("delete", store))

        assert response.status_code == 200
        assert "Delete “Still here”?" in response.content.decode()
        assert Store.objects.filter(pk=store.pk).exists()

    def test_deleting_stops_renewal_and_keeps_the_events(
        self, member_client, member, team
    ):
        store = make_store(team, name="Gone shop", expires_in=timedelta(minutes=30))
        member_client.post(url("pause", store))
        member_client.post(url("resume", store))
        store_id = store.pk

        response = member_client.post(url("delete", store), follow=True)

        assert response.redirect_chain[-1][0] == reverse("stores:list")
        assert not Store.objects.filter(pk=store_id).exists()
        assert renew_store_token(store_id, force=True) == RenewalOutcome.SKIPPED
        events = StoreEvent.objects.filter(store_label="Gone shop (demo-shop-api)")
        assert [event.kind for event in events] == [
            LifecycleEvent.DELETED,
            LifecycleEvent.RESUMED,
            LifecycleEvent.PAUSED,
        ]
        assert all(event.store is None for event in events)
        assert events[0].actor == member


class TestReauthorize:
    def test_a_new_password_keeps_the_store_and_resumes_renewal(
        self, member_client, member, team, simulator_control
    ):
        store = make_store(
            team, name="Kept name", status=StoreStatus.NEEDS_REAUTHORIZATION
        )
        simulator_control.change_account("demo-shop-api", password=NEW_PASSWORD)

        response = member_client.post(
            url("reauthorize", store), {"api_password": NEW_PASSWORD}, follow=True
        )

        reauthorized = Store.objects.get()
        assert reauthorized.pk == store.pk and reauthorized.name == "Kept name"
        assert reauthorized.status == StoreStatus.ACTIVE
        assert crypto.decrypt(reauthorized.password_ciphertext) == NEW_PASSWORD
        assert reauthorized.token_expires_at > store.token_expires_at
        assert "re-authorized" in shown_messages(response)[0]
        [event] = events_of(store, LifecycleEvent.REAUTHORIZED)
        assert event.actor == member and event.store == reauthorized
        assert renew_store_token(store.pk, force=True) == RenewalOutcome.RENEWED

    def test_a_rejected_password_changes_nothing_and_says_why(
        self, member_client, team, caplog
    ):
        store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)
        caplog.set_level(logging.DEBUG)

        response = member_client.post(
            url("reauthorize", store), {"api_password": "Wrong-guess-1"}
        )

        unchanged = Store.objects.get()
        html = response.content.decode()
        assert response.status_code == 200
        assert "Cdiscount rejected this API login or password" in html
        assert unchanged.password_ciphertext == store.password_ciphertext
        assert unchanged.status == StoreStatus.NEEDS_REAUTHORIZATION
        [event] = events_of(store, LifecycleEvent.AUTHORIZATION_FAILED)
        assert event.store == unchanged and event.outcome == "failure"
        assert "Wrong-guess-1" not in html and "Wrong-guess-1" not in caplog.text

    def test_the_password_is_hidden_from_error_reports(self, member_client, team):
        store = make_store(team)

        response = member_client.post(
            url("reauthorize", store), {"api_password": DEMO_PASSWORD}
        )

        assert response.wsgi_request.sensitive_post_parameters == ("api_password",)


class TestConnection:
    def test_a_passing_test_is_recorded_and_changes_no_secret(
        self, member_client, member, team
    ):
        store = make_store(team)

        response = member_client.post(url("test_connection", store), follow=True)

        tested = Store.objects.get()
        assert tested.last_check_ok is True
        assert tested.last_checked_at is not None
        assert tested.shop_name == "Boutique Démo"
        assert (tested.password_ciphertext, tested.token_ciphertext) == (
            store.password_ciphertext,
            store.token_ciphertext,
        )
        assert "Connection works" in shown_messages(response)[0]
        [event] = events_of(store, LifecycleEvent.CONNECTION_TESTED)
        assert (event.outcome, event.actor) == ("success", member)
        assert "Last connection test" in response.content.decode()

    def test_a_failing_test_keeps_the_status_and_shows_the_fix(
        self, member_client, team, simulator_control
    ):
        store = make_store(team)
        simulator_control.change_account("demo-shop-api", password=NEW_PASSWORD)

        response = member_client.post(url("test_connection", store), follow=True)

        tested = Store.objects.get()
        assert tested.status == StoreStatus.ACTIVE
        assert tested.last_check_ok is False
        assert tested.last_check_message.startswith("CredentialsRejected")
        assert tested.password_ciphertext == store.password_ciphertext
        assert "reset the API password" in shown_messages(response)[0]
        [event] = events_of(store, LifecycleEvent.CONNECTION_TESTED)
        assert event.outcome == "failure"

    def test_a_passing_test_on_a_failing_store_renews_at_once(
        self,
        member_client,
        member,
        team,
        queued_renewals,
        django_capture_on_commit_callbacks,
    ):
        store = make_store(team, status=StoreStatus.RENEWAL_FAILING)

        with django_capture_on_commit_callbacks(execute=True):
            member_client.post(url("test_connection", store))

        assert queued_renewals == [
            ((store.pk,), {"force": True, "requested_by": member.pk})
        ]

    def test_credentials_already_rejected_are_not_sent_again(
        self, member_client, team, simulator_control
    ):
        store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)

        page = member_client.get(url("detail", store)).content.decode()
        response = member_client.post(url("test_connection", store), follow=True)

        assert url("test_connection", store) not in page
        assert simulator_control.token_requests("demo-shop-api") == 0
        assert "Re-authorize the store" in shown_messages(response)[0]
        assert Store.objects.get().last_checked_at is None

    def test_an_unreadable_password_is_reported_not_sent(self, member_client, team):
        store = make_store(team)
        Store.objects.filter(pk=store.pk).update(password_ciphertext="not-a-token")

        response = member_client.post(url("test_connection", store), follow=True)

        assert Store.objects.get().last_check_ok is False
        assert "can no longer be read" in shown_messages(response)[0]


class TestBulk:
    @pytest.fixture
    def stores(self, team):
        return [
            make_store(team, login="one-api", name="One"),
            make_store(team, login="two-api", name="Two", status=StoreStatus.PAUSED),
            make_store(
                team,
                login="three-api",
                name="Three",
                status=StoreStatus.NEEDS_REAUTHORIZATION,
            ),
        ]

    def bulk(self, client, action, stores, **extra):
        return client.post(
            reverse("stores:bulk"),
            {"action": action, "store": [store.pk for store in stores], **extra},
            follow=True,
        )

    def test_bulk_pause_pauses_the_renewable_stores(self, member_client, stores):
        response = self.bulk(member_client, "pause", stores)

        statuses = dict(Store.objects.values_list("name", "status"))
        assert statuses == {
            "One": StoreStatus.PAUSED,
            "Two": StoreStatus.PAUSED,
            "Three": StoreStatus.NEEDS_REAUTHORIZATION,
        }
        assert shown_messages(response) == [
            "1 store paused.",
            "2 selected stores were left as they were (not in a state for this "
            "action, or not yours to change).",
        ]

    def test_bulk_resume_resumes_paused_stores(self, member_client, stores):
        self.bulk(member_client, "resume", stores)

        assert Store.objects.get(name="Two").status == StoreStatus.ACTIVE

    def test_bulk_renew_queues_renewable_stores(
        self,
        member_client,
        member,
        stores,
        queued_renewals,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.bulk(member_client, "renew", stores)

        assert queued_renewals == [
            ((stores[0].pk,), {"force": True, "requested_by": member.pk})
        ]

    def test_bulk_goes_back_to_the_same_filtered_page(self, member_client, stores):
        back_to = reverse("stores:list") + "?status=active&q=One"

        response = self.bulk(member_client, "pause", stores[:1], next=back_to)

        assert response.redirect_chain[-1][0] == back_to

    def test_bulk_never_redirects_off_the_list(self, member_client, stores):
        response = self.bulk(
            member_client, "pause", stores[:1], next="https://evil.example/stores/"
        )

        assert response.redirect_chain[-1][0] == reverse("stores:list")

    def test_nothing_selected_says_so(self, member_client, stores):
        response = self.bulk(member_client, "pause", [])

        assert shown_messages(response) == ["Select at least one store."]


def test_actions_refuse_an_unknown_state_change_without_writing(team, member):
    store = make_store(team, status=StoreStatus.NOT_USABLE)

    with pytest.raises(store_actions.ActionNotAllowed):
        store_actions.pause_store(store=store, actor=member)

    assert not StoreEvent.objects.exists()


class TestBulkStoreIds:
    """Ticked ids come from the page; anything else is ignored, never a 500."""

    def bulk(self, client, store_values, **extra):
        return client.post(
            reverse("stores:bulk"),
            {"action": "pause", "store": store_values, **extra},
            follow=True,
        )

    @pytest.mark.parametrize(
        "value",
        ["9223372036854775808", "99999999999999999999", "²", "-1", "1e3", " 1"],
        ids=["past-64-bit", "far-past-64-bit", "superscript", "negative", "exp", "sp"],
    )
    def test_a_value_that_is_no_store_id_is_ignored(self, member_client, value):
        response = self.bulk(member_client, [value])

        assert response.status_code == 200
        assert shown_messages(response) == ["Select at least one store."]

    def test_digits_of_another_script_do_not_name_a_store(self, member_client, team):
        store = make_store(team)
        arabic_indic = str(store.pk).translate(ARABIC_INDIC_DIGITS)

        response = self.bulk(member_client, [arabic_indic])

        store.refresh_from_db()
        assert store.status == StoreStatus.ACTIVE
        assert shown_messages(response) == ["Select at least one store."]

    def test_good_ids_still_act_next_to_bad_ones(self, member_client, team):
        store = make_store(team)

        response = self.bulk(member_client, ["9223372036854775808", "²", store.pk])

        store.refresh_from_db()
        assert store.status == StoreStatus.PAUSED
        assert shown_messages(response) == ["1 store paused."]

    def test_pausing_the_last_filtered_page_lands_on_a_page_that_exists(
        self, member_client, team
    ):
        stores = [
            make_store(team, login=f"active{number}-api", name=f"Active {number:02}")
            for number in range(51)
        ]
        back_to = reverse("stores:list") + "?status=active&page=2"

        response = self.bulk(member_client, [stores[-1].pk], next=back_to)

        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == back_to
        assert response.context["page_obj"].number == 1
        assert len(response.context["stores"]) == 50


class TestStoreNames:
    @pytest.mark.parametrize(
        "name",
        ["\ufeff", "\u200b\u200b", "\u200d", "\u3164", "\u2800", "\u00ad"],
        ids=["bom", "zero-width-spaces", "zwj", "hangul-filler", "braille", "shy"],
    )
    def test_a_name_without_visible_characters_is_refused(
        self, member_client, team, name
    ):
        store = make_store(team, name="Kept")

        response = member_client.post(url("rename", store), {"name": name})

        store.refresh_from_db()
        assert response.status_code == 200 and store.name == "Kept"
        assert response.context["form"].errors["name"] == [
            "Enter a store name with visible characters."
        ]

    @pytest.mark.parametrize("name", ["Shop\x01", "Two\nlines", "Tab\tbed", "A\x7f"])
    def test_a_name_with_control_characters_is_refused(self, member_client, team, name):
        store = make_store(team, name="Kept")

        response = member_client.post(url("rename", store), {"name": name})

        store.refresh_from_db()
        assert store.name == "Kept"
        assert "control characters" in response.context["form"].errors["name"][0]

    @pytest.mark.parametrize(
        "name", ["می\u200cخواهم", "Family 👨\u200d👩\u200d👧", "深圳 店", "Café"]
    )
    def test_names_in_any_script_are_kept(self, member_client, team, name):
        store = make_store(team, name="Old")

        member_client.post(url("rename", store), {"name": name})

        store.refresh_from_db()
        assert store.name == name
