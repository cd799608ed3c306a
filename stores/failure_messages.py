"""What to tell a person when Cdiscount says no, in their language, with the fix."""

from django.utils.translation import gettext as _

from stores.cdiscount.errors import (
    AccountNotUsable,
    CdiscountError,
    CredentialsRejected,
    ServiceRetired,
    ServiceUnavailable,
)
from stores.cdiscount.seller_service import NotUsable


def describe_failure(error: CdiscountError) -> str:
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
