"""``/healthz``: is this deployment able to keep tokens alive right now?"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cdauth.celery import app as celery_app
from stores.models import SweepHeartbeat
from stores.services.renewal import SWEEP_HEARTBEAT

logger = logging.getLogger(__name__)

# The sweep is late once it has missed this many of its intervals.
MISSED_INTERVALS = 3


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        logger.warning("health check database unreachable", exc_info=True)
        return False


def _broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        logger.warning("health check broker unreachable", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    """Answer JSON; 503 when a dependency is down or the sweep has stopped."""
    database_ok = _database_reachable()
    last_sweep_at = None
    if database_ok:
        heartbeat = SweepHeartbeat.objects.filter(name=SWEEP_HEARTBEAT).first()
        last_sweep_at = heartbeat.last_run_at if heartbeat else None
    late_after = settings.TOKEN_SWEEP_INTERVAL * MISSED_INTERVALS
    sweep_ok = last_sweep_at is not None and timezone.now() - last_sweep_at < late_after
    broker_ok = _broker_reachable()
    healthy = database_ok and broker_ok and sweep_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "failing",
            "database": database_ok,
            "broker": broker_ok,
            "last_sweep_at": last_sweep_at.isoformat() if last_sweep_at else None,
            "sweep_on_time": sweep_ok,
        },
        status=200 if healthy else 503,
    )
