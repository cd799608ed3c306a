from django.core.management.base import BaseCommand, CommandError

from stores.services.key_rotation import rotate_encryption_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of "
        "FIELD_ENCRYPTION_KEYS. Safe to interrupt and run again; once a run "
        "has finished, the keys after the first can be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="rows read, re-encrypted and written per transaction (500)",
        )

    def handle(self, *args, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def show_progress(table: str, rows: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {table}: {rows} row(s) done")

        report = rotate_encryption_keys(batch_size=batch_size, on_batch=show_progress)

        for label, counts, unreadable_label in (
            ("Stores", report.stores, "store ids"),
            ("Platform tokens", report.platform_tokens, "dropped, renewed at next use"),
        ):
            self.stdout.write(
                f"{label}: {counts.rows_rotated} row(s) re-encrypted "
                f"({counts.secrets_rotated} secret(s)), "
                f"{counts.secrets_current} secret(s) already on the first key, "
                f"{len(counts.unreadable)} unreadable."
            )
            if counts.unreadable:
                names = ", ".join(str(item) for item in counts.unreadable)
                self.stderr.write(
                    self.style.WARNING(
                        f"{label} no key decrypts ({unreadable_label}): {names}"
                    )
                )
        if report.stores.unreadable:
            self.stderr.write(
                self.style.WARNING(
                    "Those stores now need re-authorization: their team must "
                    "enter the credentials again."
                )
            )
