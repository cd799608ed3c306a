from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from stores import crypto
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import PlatformToken, Store, StoreEvent
from stores.services.key_rotation import UNREADABLE_REASON

from .factories import make_store

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
LOST_KEY = Fernet.generate_key().decode()
CLIENT_SECRET = "octopia-client-secret-77"
PLATFORM_TOKEN = "platform-token-0123456789"


def rotate(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def sealed_with(key: str, secret: str) -> str:
    return Fernet(key.encode()).encrypt(secret.encode()).decode()


def stored_secrets() -> dict:
    """Every secret in the database, decrypted with the keys configured now."""
    secrets = {}
    for store in Store.objects.order_by("pk"):
        for field in ("password_ciphertext", "token_ciphertext"):
            secrets[(store.pk, field)] = crypto.decrypt(getattr(store, field))
        if store.client_secret_ciphertext:
            secrets[(store.pk, "client_secret")] = crypto.decrypt(
                store.client_secret_ciphertext
            )
    for row in PlatformToken.objects.all():
        secrets[row.name] = crypto.decrypt(row.token_ciphertext)
    return secrets


@pytest.fixture
def old_key_stores(settings, team):
    """Five stores, one with an Octopia client secret, and a platform token."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    stores = [
        make_store(team, login=f"shop{i}-api", password=f"Pass-{i}!", token=f"tok{i}")
        for i in range(5)
    ]
    Store.objects.filter(pk=stores[0].pk).update(
        client_secret_ciphertext=crypto.encrypt(CLIENT_SECRET)
    )
    PlatformToken.objects.create(
        name="octopia-platform:simulator",
        token_ciphertext=crypto.encrypt(PLATFORM_TOKEN),
    )
    expected = stored_secrets()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    return expected


def test_after_rotation_the_old_key_can_be_removed(settings, old_key_stores):
    out, err = rotate()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert stored_secrets() == old_key_stores
    assert "Stores: 5 row(s) re-encrypted (11 secret(s))" in out
    assert "Platform tokens: 1 row(s) re-encrypted (1 secret(s))" in out
    assert err == ""


def test_without_rotation_removing_the_old_key_loses_the_secrets(
    settings, old_key_stores
):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(crypto.UndecryptableSecret):
        stored_secrets()


def test_a_second_run_finds_everything_on_the_first_key(settings, old_key_stores):
    rotate()
    before = list(Store.objects.values_list("password_ciphertext", flat=True))

    out, _ = rotate()

    assert "Stores: 0 row(s) re-encrypted (0 secret(s)), 11 secret(s) already" in out
    assert list(Store.objects.values_list("password_ciphertext", flat=True)) == before


def test_an_interrupted_run_completes_when_run_again(
    settings, old_key_stores, monkeypatch
):
    manager_class = type(Store.objects)
    bulk_update = manager_class.bulk_update
    batches = []

    def fail_on_second_batch(manager, objs, fields, **kwargs):
        batches.append(len(objs))
        if len(batches) == 2:
            raise RuntimeError("worker killed")
        return bulk_update(manager, objs, fields, **kwargs)

    monkeypatch.setattr(manager_class, "bulk_update", fail_on_second_batch)
    with pytest.raises(RuntimeError, match="worker killed"):
        rotate(batch_size=2)
    monkeypatch.undo()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    readable = [
        crypto.is_readable(store.password_ciphertext)
        for store in Store.objects.order_by("pk")
    ]
    assert readable == [True, True, False, False, False]

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out, _ = rotate(batch_size=2)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert stored_secrets() == old_key_stores
    assert "Stores: 3 row(s) re-encrypted" in out
    assert "5 secret(s) already on the first key" in out


def test_unreadable_store_is_reported_marked_and_the_others_rotated(
    settings, old_key_stores, team
):
    lost = make_store(team, login="lost-api")
    Store.objects.filter(pk=lost.pk).update(
        password_ciphertext=sealed_with(LOST_KEY, "Gone-2024!")
    )
    lost.refresh_from_db()

    out, err = rotate()

    lost.refresh_from_db()
    assert lost.status == StoreStatus.NEEDS_REAUTHORIZATION
    assert lost.status_reason == UNREADABLE_REASON
    event = StoreEvent.objects.get(store=lost)
    assert (event.kind, event.outcome) == (LifecycleEvent.SECRET_UNREADABLE, "failure")
    assert f"store ids): {lost.pk}" in err
    assert "1 unreadable" in out
    assert lost.password_ciphertext not in out + err
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    # Its token was readable, so it moved to the new key like every other.
    assert crypto.is_readable(lost.token_ciphertext)
    assert all(
        crypto.is_readable(store.password_ciphertext)
        for store in Store.objects.exclude(pk=lost.pk)
    )


def test_a_second_run_reports_an_unreadable_store_without_a_second_event(
    old_key_stores, team
):
    lost = make_store(team, login="lost-api")
    Store.objects.filter(pk=lost.pk).update(token_ciphertext="garbage")

    rotate()
    _, err = rotate()

    assert f"store ids): {lost.pk}" in err
    assert StoreEvent.objects.filter(store=lost).count() == 1


def test_unreadable_platform_token_is_dropped_to_be_renewed(old_key_stores):
    PlatformToken.objects.update(token_ciphertext=sealed_with(LOST_KEY, "x"))

    _, err = rotate()

    row = PlatformToken.objects.get()
    assert (row.token_ciphertext, row.token_renew_at) == ("", None)
    assert "octopia-platform:simulator" in err


def test_progress_is_shown_per_batch_at_verbosity_two(old_key_stores):
    out, _ = rotate(batch_size=2, verbosity=2)

    assert out.count("store: 2 row(s) done") == 2
    assert "store: 1 row(s) done" in out


def test_batch_size_must_be_positive(db):
    with pytest.raises(CommandError, match="--batch-size"):
        rotate(batch_size=0)
