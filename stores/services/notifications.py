"""Tell a team when one of its stores needs a person."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from stores.models import Store
from stores.permissions import memberships_that_see

logger = logging.getLogger(__name__)

# Staff read in Chinese, the marketplace speaks French, admins English: the
# e-mail carries all three rather than guessing one.
EMAIL_LANGUAGES = ("zh-hans", "en", "fr")


def _render_in_every_language(template: str, context: dict) -> list[str]:
    renderings = []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            renderings.append(render_to_string(template, context).strip())
    # A language with no translation yet would repeat the English text.
    return list(dict.fromkeys(renderings))


def notify_reauthorization_needed(store: Store) -> int:
    """E-mail the store's team that Cdiscount rejected its password.

    Returns how many addresses were written to. The message names the store
    and the fix, never a secret.
    """
    # Only members who may see the store: a sub-account limited to other
    # stores must not learn of this one from its mail.
    recipients = sorted(
        set(
            memberships_that_see(store)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        logger.info("reauthorization notice store_id=%s recipients=0", store.pk)
        return 0
    context = {"store": store, "site_url": settings.CDAUTH_SITE_URL}
    subject = " / ".join(
        _render_in_every_language("stores/email/reauthorization_subject.txt", context)
    )
    body = "\n\n----------\n\n".join(
        _render_in_every_language("stores/email/reauthorization_body.txt", context)
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        # The banner on every page still tells the team; a mail server that
        # is down must not undo the renewal bookkeeping.
        logger.exception("reauthorization notice failed store_id=%s", store.pk)
        return 0
    logger.info(
        "reauthorization notice store_id=%s recipients=%s", store.pk, len(recipients)
    )
    return len(recipients)
