"""Show each signed-in person the dashboard in their own time zone."""

from django.utils import timezone

from stores.services.preferences import time_zone_of


class UserTimeZoneMiddleware:
    """Activate the user's time zone for the request (after authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(time_zone_of(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
