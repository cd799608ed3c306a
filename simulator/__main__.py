"""Run the simulator in the foreground: python -m simulator [--port N]."""

import argparse
import signal
import threading

from simulator.server import start_in_thread


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve a local stand-in for Cdiscount's and Octopia's APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument(
        "--port", type=int, default=0, help="port to bind; 0 picks a free one"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log every request on stderr"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM, then stop cleanly."""
    arguments = parse_arguments(argv)
    stop_requested = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop_requested.set())

    simulator = start_in_thread(
        arguments.host, arguments.port, verbose=arguments.verbose
    )
    # Scripts wait for this exact line to learn the port.
    print(f"Cdiscount simulator listening on {simulator.url}", flush=True)
    stop_requested.wait()
    simulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
