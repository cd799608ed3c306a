from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from stores.environments import Environment
from stores.lifecycle import LifecycleEvent, StoreStatus


class Team(models.Model):
    """A seller's team; every store has one, and only its members see it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="teams",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    """What a member may do in a team; each role includes the ones below it."""

    OWNER = "owner", _("Owner")
    OPERATOR = "operator", _("Operator")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user")
    )
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.OPERATOR
    )
    # Like an ERP sub-account: when set, the member sees only these stores.
    limited_to_stores = models.BooleanField(_("limited to some stores"), default=False)
    stores = models.ManyToManyField(
        "Store", blank=True, related_name="+", verbose_name=_("stores")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.team}"


class UserPreferences(models.Model):
    """Per-person display settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self):
        return f"{self.user}: {self.time_zone}"


class CredentialKind(models.TextChoices):
    """How a store proves itself to Cdiscount; each kind has its own client."""

    LEGACY = "legacy", _("Legacy API (login and password)")
    OCTOPIA_OWN = "octopia_own", _("Octopia API with the seller's own client")
    OCTOPIA_DELEGATED = "octopia_delegated", _("Octopia API, delegated to cdauth")


class Store(models.Model):
    """A Cdiscount seller account authorized by a team.

    The password and the token are kept only as ciphertext; ``stores.crypto``
    is the one place that turns them back into secrets.
    """

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="stores", verbose_name=_("team")
    )
    name = models.CharField(_("store name"), max_length=100)
    credential_kind = models.CharField(
        _("credential kind"),
        max_length=32,
        choices=CredentialKind.choices,
        default=CredentialKind.LEGACY,
    )
    environment = models.CharField(
        _("environment"), max_length=32, choices=Environment.choices
    )
    # Legacy kind: the API login; Octopia kinds leave it blank.
    api_login = models.CharField(_("API login"), max_length=150, blank=True)
    password_ciphertext = models.TextField(blank=True, editable=False)
    # Octopia kinds: the numeric SellerId, and for the seller's own client its
    # client id and secret.
    seller_id = models.CharField(_("Octopia SellerId"), max_length=32, blank=True)
    client_id = models.CharField(_("Octopia client ID"), max_length=200, blank=True)
    client_secret_ciphertext = models.TextField(blank=True, editable=False)

    token_ciphertext = models.TextField(blank=True, editable=False)
    token_issued_at = models.DateTimeField(_("token issued at"), null=True, blank=True)
    token_expires_at = models.DateTimeField(
        _("token expires at"), null=True, blank=True
    )
    # When the sweep renews this token: a margin before expiry that depends on
    # the token's own lifetime (48 hours legacy, about 2 hours Octopia).
    token_renew_at = models.DateTimeField(null=True, blank=True, editable=False)

    status = models.CharField(
        _("status"),
        max_length=32,
        choices=StoreStatus.choices,
        default=StoreStatus.ACTIVE,
    )
    # Why the store is in its status, in Cdiscount's words where it gave some.
    status_reason = models.TextField(_("status reason"), blank=True)

    shop_name = models.CharField(_("shop name"), max_length=200, blank=True)
    seller_login = models.CharField(_("seller login"), max_length=150, blank=True)
    seller_state = models.CharField(_("seller state"), max_length=32, blank=True)
    seller_availability = models.CharField(
        _("seller availability"), max_length=32, blank=True
    )

    last_renewed_at = models.DateTimeField(_("last renewal"), null=True, blank=True)
    last_checked_at = models.DateTimeField(
        _("last connection test"), null=True, blank=True
    )
    last_check_ok = models.BooleanField(_("last connection test passed"), null=True)
    last_check_message = models.TextField(_("last connection test result"), blank=True)
    renewal_failures = models.PositiveIntegerField(
        _("renewal failures in a row"), default=0
    )
    # Backoff after a passing failure: the sweep skips the store until then.
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The sweep marks the rows it queued so that a second beat, or the next
    # sweep, does not queue them again while their task is pending.
    queued_until = models.DateTimeField(null=True, blank=True, editable=False)
    sweep_mark = models.CharField(max_length=32, blank=True, editable=False)
    # A renewal lease: one token request per store at a time, across workers.
    claim_id = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        constraints = [
            models.UniqueConstraint(
                Lower("api_login"),
                "team",
                condition=~models.Q(api_login=""),
                name="store_login_unique_per_team",
            ),
            models.UniqueConstraint(
                "seller_id",
                "team",
                condition=~models.Q(seller_id=""),
                name="store_seller_id_unique_per_team",
            ),
            # Delegated access proves nothing about the team, so one team
            # only holds a delegated seller (see services/same_store.py).
            models.UniqueConstraint(
                "seller_id",
                "environment",
                condition=models.Q(credential_kind="octopia_delegated"),
                name="store_delegated_seller_unique",
            ),
        ]
        indexes = [
            # The sweep: renewable stores whose renewal time has come.
            models.Index(fields=["status", "token_renew_at"], name="store_due_idx"),
            models.Index(fields=["token_expires_at"], name="store_expiry_idx"),
            models.Index(fields=["team", "name"], name="store_team_name_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def has_token(self) -> bool:
        # A delegated store calls with cdauth's shared token (PlatformToken);
        # its row keeps only that token's times.
        if self.credential_kind == CredentialKind.OCTOPIA_DELEGATED:
            return self.token_expires_at is not None
        return bool(self.token_ciphertext)


class StoreEvent(models.Model):
    """One line of a store's history: who did what, when, and how it ended."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    # Events outlive their store, for the audit; the name and login are kept.
    store = models.ForeignKey(
        Store,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("store"),
    )
    store_label = models.CharField(_("store"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("event"), max_length=32, choices=LifecycleEvent.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    status_after = models.CharField(
        _("status after"), max_length=32, choices=StoreStatus.choices, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("store event")
        verbose_name_plural = _("store events")

    def __str__(self):
        return f"{self.store_label}: {self.kind} ({self.outcome})"


class PlatformToken(models.Model):
    """A token serving many stores: the Octopia token of cdauth's own client.

    Renewed once for every delegated store, with the same lease as a store.
    """

    name = models.CharField(max_length=64, unique=True)
    token_ciphertext = models.TextField(blank=True)
    token_issued_at = models.DateTimeField(null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_renew_at = models.DateTimeField(null=True, blank=True)
    claim_id = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    renewal_failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("platform token")
        verbose_name_plural = _("platform tokens")

    def __str__(self):
        return self.name


class SweepHeartbeat(models.Model):
    """When a periodic job last ran; read by /healthz."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.last_run_at.isoformat()}"
