from django.core.management.base import BaseCommand

from stores.lifecycle import RENEWABLE_STATUSES
from stores.models import Store
from stores.services import renewal


class Command(BaseCommand):
    help = (
        "Renew due tokens now, in this process (the same sweep beat runs). "
        "With --all, renew every store that is renewable, due or not."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="renew every active store now"
        )

    def handle(self, *args, **options):
        if options["all"]:
            store_ids = list(
                Store.objects.filter(status__in=RENEWABLE_STATUSES)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            outcomes = [renewal.renew_store_token(pk, force=True) for pk in store_ids]
        else:
            outcomes = [
                renewal.renew_store_token(pk)
                for batch in renewal.mark_due_stores()
                for pk in batch
            ]
        counts = {}
        for outcome in outcomes:
            counts[outcome.value] = counts.get(outcome.value, 0) + 1
        summary = ", ".join(
            f"{name}: {count}" for name, count in sorted(counts.items())
        )
        self.stdout.write(f"{len(outcomes)} store(s) processed. {summary}".strip())
