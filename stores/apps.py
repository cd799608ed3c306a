from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("Cdiscount stores")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the system check that validates the rate-limit settings.
        from stores import throttling  # noqa: F401

        # Registered here rather than imported by stores.credentials: the
        # delegated kind needs the renewal service, which needs credentials.
        from stores.octopia_credentials import register_octopia_clients

        register_octopia_clients()
