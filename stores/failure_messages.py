"""What to tell users when Cdiscount says no, in their language, with a fix."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from stores.cdiscount.errors import (
    AccountNotUsable,
    CdiscountError,
    ClientCredentialsRejected,
    CredentialsRejected,
    PlatformClientUnusable,
    SellerAccessRefused,
    SellerNotFound,
    SellerNotLinked,
    ServiceRetired,
    ServiceUnavailable,
    UnexpectedAnswer,
)
from stores.cdiscount.seller_service import NotUsable
from stores.lifecycle import StoreStatus
from stores.models import CredentialKind
from stores.services.same_store import StoreAlreadyAuthorized


def _describe_octopia_failure(error: CdiscountError) -> str:
    """The message for an error only the Octopia API raises, else empty."""
    if isinstance(error, ClientCredentialsRejected):
        return _(
            "Octopia rejected this client ID or client secret. Copy both again "
            "from API Credentials Management in your Octopia seller space, or "
            "create a new secret there."
        )
    if isinstance(error, PlatformClientUnusable):
        return _(
            "cdauth's own Octopia client could not get a token: it is not set "
            "up, or Octopia refused it. Nothing is wrong with your store; ask "
            "an administrator to check OCTOPIA_CLIENT_ID and "
            "OCTOPIA_CLIENT_SECRET."
        )
    if isinstance(error, SellerNotFound):
        return _(
            "Octopia knows no seller with the SellerId %(seller_id)s. Check the "
            "number in your Octopia seller space; it is digits only."
        ) % {"seller_id": error.seller_id}
    if isinstance(error, SellerNotLinked) and error.delegated:
        return _(
            "Octopia knows the SellerId %(seller_id)s, but cdauth's client ID "
            "“%(client_id)s” is not linked to it yet. In your Octopia seller "
            "space, open API Credentials Management, link the client ID "
            "“%(client_id)s”, then authorize again."
        ) % {"seller_id": error.seller_id, "client_id": error.client_id}
    if isinstance(error, SellerNotLinked):
        return _(
            "The client ID “%(client_id)s” may not act for the SellerId "
            "%(seller_id)s. Check that the client was created in this seller's "
            "API Credentials Management, and that the SellerId is right."
        ) % {"seller_id": error.seller_id, "client_id": error.client_id}
    if isinstance(error, SellerAccessRefused):
        return _(
            "Octopia refused access to the SellerId %(seller_id)s (HTTP "
            "%(status)s). With delegated access, check that cdauth's client ID "
            "is linked to this seller; with your own client, check that it "
            "belongs to this seller."
        ) % {"seller_id": error.seller_id, "status": error.status}
    return ""


def describe_same_store(duplicate: StoreAlreadyAuthorized, *, visible: bool) -> str:
    """Say which store already is this seller, and what to do instead."""
    if not visible:
        return _(
            "This seller is already authorized in this team, as a store you "
            "are not assigned to. Ask a team owner."
        )
    store = duplicate.store
    values = {
        "name": store.name,
        "kind": store.get_credential_kind_display(),
        "seller_id": store.seller_id,
        "login": store.api_login,
    }
    if duplicate.reason == StoreAlreadyAuthorized.SAME_LOGIN:
        return (
            _(
                "The API login “%(login)s” belongs to “%(name)s”, which now "
                "connects with %(kind)s. It was not authorized a second time."
            )
            % values
        )
    if store.credential_kind == CredentialKind.LEGACY:
        return (
            _(
                "This seller is already authorized in this team as “%(name)s”, "
                "with the legacy API. Switch that store to Octopia instead of "
                "adding a second one: its name, history and settings are kept."
            )
            % values
        )
    return (
        _(
            "This seller is already authorized in this team as “%(name)s” "
            "(%(kind)s). To connect it another way, switch that store instead of "
            "adding a second one."
        )
        % values
    )


def describe_failure(error: CdiscountError) -> str:
    octopia_message = _describe_octopia_failure(error)
    if octopia_message:
        return octopia_message
    if isinstance(error, CredentialsRejected):
        return _(
            "Cdiscount rejected this API login or password. Check that the login "
            "is your seller login followed by “-api”, or reset the API password "
            "in the Cdiscount seller back office."
        )
    if isinstance(error, AccountNotUsable):
        return _describe_unusable_account(error)
    if isinstance(error, ServiceRetired):
        return _(
            "Cdiscount's legacy API service is retired for this environment (it "
            "answered “not found”), so this login cannot be used there any more. "
            "This is not a wrong password."
        )
    if isinstance(error, ServiceUnavailable):
        return _(
            "Cdiscount could not be reached or did not answer in time. Try again "
            "later; if it keeps happening, Cdiscount may need to allow-list this "
            "server's IP address."
        )
    return _(
        "Cdiscount is answering strangely (for example with a web page instead "
        "of a token). Try again later; if it keeps happening, Cdiscount may need "
        "to allow-list this server's IP address."
    )


# Failures whose advice needs nothing but their kind, by the class name a
# recorded reason starts with ("ServiceUnavailable: the token service ...").
_ADVISED_BY_NAME = {
    error_class.__name__: error_class
    for error_class in (
        ClientCredentialsRejected,
        CredentialsRejected,
        PlatformClientUnusable,
        ServiceRetired,
        ServiceUnavailable,
        UnexpectedAnswer,
    )
}


def describe_recorded_failure(reason: str) -> str:
    """The advice for a failure recorded as text, in today's language.

    Empty when the kind needs details the text does not keep (a seller's
    state, say); the recorded text itself says enough there.
    """
    name, _separator, details = reason.partition(":")
    error_class = _ADVISED_BY_NAME.get(name)
    return describe_failure(error_class(details.strip())) if error_class else ""


def _describe_unusable_account(error: AccountNotUsable) -> str:
    if error.reason == NotUsable.DEACTIVATED:
        return _(
            "The login works, but Cdiscount says this seller account is "
            "deactivated, so it cannot be used. Contact Cdiscount seller support."
        )
    if error.reason == NotUsable.BANNED:
        return _(
            "The login works, but Cdiscount says this seller is banned, so the "
            "account cannot be used. Contact Cdiscount seller support."
        )
    if error.reason == NotUsable.NOT_AUTHORIZED:
        return _(
            "The login works, but Cdiscount says this account is not authorized "
            "to use the API. Contact Cdiscount seller support."
        )
    return _(
        "The login works, but Cdiscount refused to confirm the account. "
        "Cdiscount said: “%(message)s”"
    ) % {"message": error.cdiscount_message}


def password_rule_hints(password: str) -> list[str]:
    """Rules Cdiscount is known to apply that this password seems to break.

    Third parties quote different rules, so these are hints shown after a
    rejection, never a reason to refuse a password.
    """
    hints = []
    if len(password) < 7:
        hints.append(_("Cdiscount asks for at least 7 characters."))
    if not any(character.isdigit() for character in password):
        hints.append(_("Cdiscount asks for at least one number."))
    if "<" in password or ">" in password:
        hints.append(_("Cdiscount does not accept “<” or “>”."))
    if password != password.strip():
        hints.append(
            _("The password starts or ends with a space; it was sent as typed.")
        )
    return hints


@dataclass(frozen=True)
class StatusAdvice:
    """Why a store is in trouble, and what a person can do about it."""

    cause: str
    fix: str


def advise_on_status(status: str) -> StatusAdvice | None:
    """The cause and fix shown with a store's badge; None when all is well."""
    if status == StoreStatus.NEEDS_REAUTHORIZATION:
        return StatusAdvice(
            cause=_(
                "Cdiscount rejected the stored API password, usually because it "
                "was changed in the seller back office. Nothing is renewed."
            ),
            fix=_("Re-authorize the store with the new API password."),
        )
    if status == StoreStatus.NOT_USABLE:
        return StatusAdvice(
            cause=_(
                "Cdiscount says this seller account cannot be used (deactivated, "
                "banned or not authorized to use the API)."
            ),
            fix=_("Contact Cdiscount seller support, then re-authorize the store."),
        )
    if status == StoreStatus.RENEWAL_FAILING:
        return StatusAdvice(
            cause=_(
                "The last renewal could not reach Cdiscount. The current token "
                "still works."
            ),
            fix=_(
                "Nothing to do yet: renewal is retried automatically. If it "
                "lasts, test the connection."
            ),
        )
    if status == StoreStatus.EXPIRED:
        return StatusAdvice(
            cause=_(
                "Renewal kept failing until the token ran out, so order and "
                "offer sync is stopped."
            ),
            fix=_(
                "Renewal is retried automatically. Test the connection; if "
                "Cdiscount stays unreachable, it may need to allow-list this "
                "server's IP address."
            ),
        )
    if status == StoreStatus.PAUSED:
        return StatusAdvice(
            cause=_("A person paused this store: its token is not renewed."),
            fix=_("Resume the store to renew its token again."),
        )
    return None
