"""HTTP server: read each request in its own thread, route it, answer it."""

import contextlib
import socket
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from simulator import legacy, octopia
from simulator.control import CONTROL_PREFIX, handle_control
from simulator.exchange import (
    PLAIN_CONTENT_TYPE,
    Request,
    Response,
    method_not_allowed,
    not_found,
)
from simulator.state import SimulatorState

MAX_BODY_BYTES = 1024 * 1024
STOP_TIMEOUT_SECONDS = 5.0


def _soap_get(request: Request, state: SimulatorState) -> Response:
    # The WSDL is not served: clients keep their own copy of the contract.
    return not_found()


_TOKEN_ENDPOINT = {"GET": legacy.issue_token}
ENDPOINTS = {
    **dict.fromkeys(legacy.TOKEN_PATHS, _TOKEN_ENDPOINT),
    legacy.SOAP_PATH: {"GET": _soap_get, "POST": legacy.call_soap_service},
    octopia.TOKEN_PATH: {"POST": octopia.issue_access_token},
    octopia.SELLERS_PATH: {"GET": octopia.get_seller},
}


def route(request: Request, state: SimulatorState) -> Response:
    """Send a request to the endpoint that owns its path."""
    if request.path.startswith(CONTROL_PREFIX):
        return handle_control(request, state)
    # IIS matches paths case-insensitively, and clients copy them from docs.
    methods = ENDPOINTS.get(request.path.lower())
    if methods is None:
        return not_found()
    handler = methods.get(request.method)
    if handler is None:
        return method_not_allowed(", ".join(sorted(methods)))
    return handler(request, state)


class SimulatorRequestHandler(BaseHTTPRequestHandler):
    """Turn one HTTP exchange into a Request and write back its Response."""

    server: "SimulatorHTTPServer"
    server_version = "CdiscountSimulator/1.0"
    protocol_version = "HTTP/1.0"

    def serve(self) -> None:
        """Answer the request whatever its method."""
        request_or_refusal = self._read_request()
        if isinstance(request_or_refusal, Response):
            response = request_or_refusal
        else:
            response = self._route_safely(request_or_refusal)
        self._write(response, include_body=self.command != "HEAD")

    do_GET = do_HEAD = do_POST = do_PATCH = do_PUT = do_DELETE = serve

    def version_string(self) -> str:
        """Name the simulator in the Server header, with no Python version."""
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - base name
        """Log a request line only when the server runs verbose."""
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_request(self) -> Request | Response:
        headers = {name.lower(): value for name, value in self.headers.items()}
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return Response.text(411, "Send a Content-Length.", PLAIN_CONTENT_TYPE)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            return Response.text(400, "Bad Content-Length.", PLAIN_CONTENT_TYPE)
        if not 0 <= length <= MAX_BODY_BYTES:
            return Response.text(413, "Body too large.", PLAIN_CONTENT_TYPE)

        url = urlsplit(self.path)
        return Request(
            method="GET" if self.command == "HEAD" else self.command,
            path=url.path,
            query_string=url.query,
            headers=headers,
            body=self.rfile.read(length) if length else b"",
            client_host=self.client_address[0],
        )

    def _route_safely(self, request: Request) -> Response:
        try:
            return route(request, self.server.state)
        except Exception:  # noqa: BLE001 - a bug must still get an answer
            # A simulator bug is printed even when quiet: tests must see it.
            traceback.print_exc()
            return Response.text(500, "Simulator error.", PLAIN_CONTENT_TYPE)

    def _write(self, response: Response, *, include_body: bool) -> None:
        if response.drop_connection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Connection", "close")
        for name, value in response.extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if include_body:
            self.wfile.write(response.body)


class SimulatorHTTPServer(ThreadingHTTPServer):
    """Thread-per-request server holding one SimulatorState."""

    daemon_threads = True
    # Bursts of 100+ clients connect at once; the default backlog of 5 would
    # make the kernel drop their connection attempts.
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], state: SimulatorState, verbose: bool):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.verbose = verbose
        super().__init__(address, SimulatorRequestHandler)

    def handle_error(self, request, client_address) -> None:
        """Ignore clients that hung up; report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class RunningSimulator:
    """A simulator serving from a background thread."""

    def __init__(self, server: SimulatorHTTPServer, thread: threading.Thread):
        self.server = server
        self._thread = thread
        self._stopped = False

    @property
    def url(self) -> str:
        """Return the base URL, without a trailing slash."""
        host, port = self.server.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    @property
    def state(self) -> SimulatorState:
        """Return the state, for tests that prefer it to the control API."""
        return self.server.state

    def stop(self) -> None:
        """Stop serving, cutting hanging requests short; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.server.state.wake_sleepers()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(STOP_TIMEOUT_SECONDS)

    def __enter__(self) -> "RunningSimulator":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_in_thread(
    host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
) -> RunningSimulator:
    """Start a simulator with the demo state; port 0 picks a free port."""
    server = SimulatorHTTPServer((host, port), SimulatorState(), verbose)
    thread = threading.Thread(
        target=server.serve_forever, name="cdiscount-simulator", daemon=True
    )
    thread.start()
    return RunningSimulator(server, thread)
