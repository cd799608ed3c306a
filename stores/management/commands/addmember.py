import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stores.models import Membership, Team

# The name of the environment variable holding the password, not a password.
PASSWORD_VARIABLE = "CDAUTH_MEMBER_PASSWORD"  # noqa: S105


class Command(BaseCommand):
    help = (
        "Add a user to a team, creating either if needed. A new user's password "
        f"comes from {PASSWORD_VARIABLE}, or is asked for on a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("team", help="team name (created if it does not exist)")
        parser.add_argument("username", help="user name (created if needed)")

    def handle(self, *args, team, username, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None if user else self._new_password(username)
        with transaction.atomic():
            team_obj, team_created = Team.objects.get_or_create(name=team)
            if user is None:
                user = User.objects.create_user(username=username, password=password)
                self.stdout.write(f"Created user {username}.")
            if team_created:
                self.stdout.write(f"Created team {team}.")
            _, joined = Membership.objects.get_or_create(team=team_obj, user=user)
        if joined:
            self.stdout.write(self.style.SUCCESS(f"Added {username} to {team}."))
        else:
            self.stdout.write(f"{username} is already a member of {team}.")

    def _new_password(self, username: str) -> str:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None and sys.stdin.isatty():
            password = getpass.getpass(f"Password for {username}: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        if not password:
            raise CommandError(
                f"{username} does not exist yet: set {PASSWORD_VARIABLE} to the "
                "password it should have."
            )
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        return password
