"""How django-axes tells people apart and what a locked-out person sees."""

import math

from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The address the outermost of our own proxies saw the request come from.

    With no proxy configured that is the connection's address. Behind
    ``CDAUTH_TRUSTED_PROXY_COUNT`` proxies it is the X-Forwarded-For entry
    the first of them added; a client can prepend anything it likes to that
    header, so entries further left are never used.
    """
    proxies = settings.CDAUTH_TRUSTED_PROXY_COUNT
    forwarded = [
        address.strip()
        for address in request.headers.get("x-forwarded-for", "").split(",")
        if address.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The login page's answer to a locked-out username and address: 429.

    Every failure during the lockout starts the cool-off again, so the wait
    is the whole cool-off from now.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "registration/lockout.html",
        {"minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
