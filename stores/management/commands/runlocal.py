import os
import secrets
import socket
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from honcho.manager import Manager
from honcho.printer import Printer

from cdauth.local_state import read_or_create_secret
from stores.models import Membership, Team

DEMO_USERNAME = "demo"
DEMO_TEAM = "Demo team"


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = (
        "Start the whole dashboard on this machine: web server, Celery worker, "
        "beat and the local Cdiscount simulator. Ctrl-C stops them all."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", 8000))
        )

    def handle(self, *args, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        password = self._ensure_demo_user()
        environment = self._child_environment(port)
        python = sys.executable

        manager = Manager(Printer(sys.stdout))
        processes = {
            "simulator": [python, "-m", "simulator", "--port", environment["SIM_PORT"]],
            "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}"],
            "worker": [
                python, "-m", "celery", "-A", "cdauth", "worker",
                "--pool", "threads", "--concurrency", "8", "--loglevel", "INFO",
            ],
            "beat": [
                python, "-m", "celery", "-A", "cdauth", "beat", "--loglevel", "INFO",
            ],
        }  # fmt: skip
        for name, argv in processes.items():
            manager.add_process(
                name, " ".join(argv), env=environment, cwd=str(settings.BASE_DIR)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"\ncdauth is starting on http://127.0.0.1:{port}/\n"
                f"Log in as “{DEMO_USERNAME}” with the password “{password}”.\n"
                "Authorize a store with the environment “Local simulator”, for "
                "example API login demo-shop-api, password Demo-2024!, or "
                "Octopia delegated access with SellerId 200001.\n"
                "Press Ctrl-C to stop everything.\n"
            )
        )
        manager.loop()
        sys.exit(manager.returncode)

    def _child_environment(self, port: int) -> dict:
        environment = dict(os.environ)
        # Links in e-mails point at this server.
        environment.setdefault("CDAUTH_SITE_URL", f"http://127.0.0.1:{port}")
        sim_port = str(free_loopback_port())
        environment["SIM_PORT"] = sim_port
        environment.setdefault(
            "CDISCOUNT_SIMULATOR_URL", f"http://127.0.0.1:{sim_port}"
        )
        # Without a real Octopia client, delegated access uses the simulator's
        # published platform client, so that it can be tried locally.
        if not environment.get("OCTOPIA_CLIENT_ID"):
            environment["OCTOPIA_CLIENT_ID"] = "cdauth-platform"
            environment["OCTOPIA_CLIENT_SECRET"] = "platform-secret"  # noqa: S105
        environment["PYTHONUNBUFFERED"] = "1"
        return environment

    def _ensure_demo_user(self) -> str:
        """Create the demo login once; the local folder keeps its password."""
        password = read_or_create_secret(
            settings.LOCAL_DIR / "demo_password", lambda: secrets.token_urlsafe(9)
        )
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        team, _ = Team.objects.get_or_create(name=DEMO_TEAM)
        Membership.objects.get_or_create(team=team, user=user)
        return password
