"""Rate limits on the actions that send a store's credentials to Cdiscount.

Every authorize, re-authorize and connection test asks Cdiscount whether a
login and password match; unlimited, the dashboard would let anyone with an
account guess Cdiscount passwords through it. Each such request is counted
twice, once for the person and once for the team it acts for, in fixed
windows kept in the default cache. That cache must count atomically and be
shared by every web process: Redis in production (see README,
``CACHE_URL``), the memory of the one web process on the embedded defaults.
"""

import contextlib
import functools
import logging
import math
import re
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

RATE_FORMAT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CACHE_PREFIX = "cdauth:cdiscount-action"


@dataclass(frozen=True)
class Rate:
    limit: int
    period_seconds: int


def parse_rate(text: str, setting: str = "rate") -> Rate:
    """Read a rate like ``10/10m``, ten per ten minutes; units s, m, h, d."""
    match = RATE_FORMAT.match(text or "")
    if not match or int(match[1]) < 1:
        raise ImproperlyConfigured(
            f"{setting} must look like 10/10m (a count, a slash, a period in "
            f"s, m, h or d), not {text!r}."
        )
    count, multiple, unit = match.groups()
    period = int(multiple or 1) * UNIT_SECONDS[unit]
    if period < 1:
        raise ImproperlyConfigured(f"{setting} has an empty period: {text!r}.")
    return Rate(limit=int(count), period_seconds=period)


@checks.register(checks.Tags.security)
def check_action_rates(app_configs=None, **kwargs):
    """Report an unreadable rate at start-up rather than at the first POST."""
    errors = []
    for setting in ("CDAUTH_ACTION_RATE_USER", "CDAUTH_ACTION_RATE_TEAM"):
        try:
            parse_rate(getattr(settings, setting), setting)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="stores.E001"))
    return errors


# Caches that one web process alone sees: each process of a production
# server would count on its own, multiplying the limits.
PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    if settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            "The rate limits on calls to Cdiscount count in a cache that each "
            "web process keeps for itself.",
            hint="Set CACHE_URL to a Redis URL shared by every web process.",
            id="stores.W001",
        )
    ]


@dataclass(frozen=True)
class Refusal:
    """An action refused because the person or the team used up its slots."""

    scope: str
    retry_after_seconds: int

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))

    @property
    def message(self) -> str:
        minutes = self.retry_after_minutes
        if self.scope == "team":
            text = ngettext(
                "Your team has sent too many requests to Cdiscount in a short "
                "time. To protect your stores’ passwords from guessing, try "
                "again in %(minutes)d minute.",
                "Your team has sent too many requests to Cdiscount in a short "
                "time. To protect your stores’ passwords from guessing, try "
                "again in %(minutes)d minutes.",
                minutes,
            )
        else:
            text = ngettext(
                "You have sent too many requests to Cdiscount in a short time. "
                "To protect your stores’ passwords from guessing, try again in "
                "%(minutes)d minute.",
                "You have sent too many requests to Cdiscount in a short time. "
                "To protect your stores’ passwords from guessing, try again in "
                "%(minutes)d minutes.",
                minutes,
            )
        return text % {"minutes": minutes}


def _window(key: str, rate: Rate, now: float) -> tuple[str, float]:
    """The cache key that counts ``key`` at ``now``, and when it resets."""
    window_start = int(now // rate.period_seconds) * rate.period_seconds
    cache_key = f"{CACHE_PREFIX}:{key}:{rate.period_seconds}:{window_start}"
    return cache_key, window_start + rate.period_seconds


def _take_slot(cache_key: str, rate: Rate) -> bool:
    """Count one request; refuse it, uncounted, when over the limit."""
    timeout = rate.period_seconds + 60
    cache.add(cache_key, 0, timeout)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The window's entry expired between add() and incr().
        cache.set(cache_key, 1, timeout)
        count = 1
    if count <= rate.limit:
        return True
    # A refused request reaches nobody, so it does not use up a slot.
    _give_back(cache_key)
    return False


def _give_back(cache_key: str) -> None:
    # Gone already when its window ended meanwhile; nothing to give back.
    with contextlib.suppress(ValueError):
        cache.decr(cache_key)


def take_action_slot(
    *, user_id: int, team_id: int, now: float | None = None
) -> Refusal | None:
    """Count one call to Cdiscount for the person and the team, or refuse."""
    now = time.time() if now is None else now
    user_rate = parse_rate(settings.CDAUTH_ACTION_RATE_USER, "CDAUTH_ACTION_RATE_USER")
    team_rate = parse_rate(settings.CDAUTH_ACTION_RATE_TEAM, "CDAUTH_ACTION_RATE_TEAM")
    user_key, user_window_end = _window(f"user:{user_id}", user_rate, now)
    team_key, team_window_end = _window(f"team:{team_id}", team_rate, now)

    if not _take_slot(user_key, user_rate):
        return Refusal("user", max(1, math.ceil(user_window_end - now)))
    if not _take_slot(team_key, team_rate):
        _give_back(user_key)
        return Refusal("team", max(1, math.ceil(team_window_end - now)))
    return None


def _team_id(view, form) -> int:
    if form is not None and "team" in getattr(form, "cleaned_data", {}):
        return form.cleaned_data["team"].pk
    if hasattr(view, "get_object"):
        return view.get_object().team_id
    raise ImproperlyConfigured(
        f"{type(view).__name__}: cdiscount_action_limit needs a form with a "
        "'team' field or a view whose get_object() returns a store."
    )


def _back_url(request) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("stores:list")


def cdiscount_action_limit(view_method):
    """Refuse a view's call to Cdiscount once the person or team is over limit.

    Decorate the method that goes on to call Cdiscount, so that only requests
    which would reach it are counted: ``form_valid(self, form)`` of a form
    view, or ``post(self, request, ...)`` of a view with a ``get_object()``
    returning the store. The team counted is the form's ``team`` field, else
    that store's team. A refused form comes back with its input (a password
    widget never renders its value) and the message; a refused button shows
    the message with a way back to the page it was pressed on. Both answer
    429 with Retry-After.
    """

    @functools.wraps(view_method)
    def limited(view, *args, **kwargs):
        form = args[0] if args and isinstance(args[0], forms.BaseForm) else None
        request = view.request
        team_id = _team_id(view, form)
        refusal = take_action_slot(user_id=request.user.pk, team_id=team_id)
        if refusal is None:
            return view_method(view, *args, **kwargs)

        logger.warning(
            "cdiscount action refused scope=%s user_id=%s team_id=%s "
            "retry_after=%s view=%s",
            refusal.scope,
            request.user.pk,
            team_id,
            refusal.retry_after_seconds,
            type(view).__name__,
        )
        if form is not None:
            form.add_error(None, refusal.message)
            response = view.form_invalid(form)
        else:
            response = render(
                request,
                "stores/action_refused.html",
                {"message": refusal.message, "back_url": _back_url(request)},
            )
        response.status_code = 429
        response["Retry-After"] = str(refusal.retry_after_seconds)
        return response

    return limited
