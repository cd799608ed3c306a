from datetime import timedelta

from django.utils import timezone

from stores import tasks
from stores.services.renewal import record_sweep


def test_healthz_is_ok_after_a_recent_sweep(client, db, queued_renewals):
    tasks.sweep_due_stores()

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["database"] is True and body["broker"] is True
    assert body["sweep_on_time"] is True
    assert body["last_sweep_at"] is not None


def test_healthz_fails_when_the_sweep_missed_three_intervals(client, db, settings):
    record_sweep(
        timezone.now() - 3 * settings.TOKEN_SWEEP_INTERVAL - timedelta(seconds=5)
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["sweep_on_time"] is False


def test_healthz_fails_before_any_sweep_ran(client, db):
    assert client.get("/healthz").status_code == 503


def test_healthz_reports_an_unreachable_broker(client, db, monkeypatch):
    from cdauth import health

    record_sweep()
    monkeypatch.setattr(health, "_broker_reachable", lambda: False)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] is False


def test_healthz_needs_no_login_and_is_not_cached(client, db):
    record_sweep()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
