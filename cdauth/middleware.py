"""Response headers that Django 5.2's SecurityMiddleware does not set."""

from django.conf import settings


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """Write ``{"camera": [], "fullscreen": ["self"]}`` as a header value."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items()
    )


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY as a Permissions-Policy header.

    The dashboard uses no camera, microphone, location or payment API; saying
    so means a script injected despite the CSP could not use them either.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
