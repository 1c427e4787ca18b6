"""Real HTTP S3 for tests: moto's standalone server in a subprocess, and a fault-injecting proxy.

:class:`MotoServer` starts ``python -m moto.server`` on a free 127.0.0.1 port and waits until it
answers; boto3 then talks to it over real, signed HTTP requests through ``endpoint_url``.

:class:`FaultProxy` sits in front of it and forwards every request unchanged, except that it
can answer the first N requests with ``503 SlowDown`` (to prove botocore's retries) and answer
requests for chosen keys with ``403 AccessDenied`` (S3's own error bodies), the way a real bucket
behind a throttling or a restrictive policy does.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

__all__ = ["MotoServer", "FaultProxy", "SeenRequest", "free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1; use as a context manager or call start/stop."""

    def __init__(self, startup_timeout: float = 30.0) -> None:
        self.startup_timeout = startup_timeout
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoServer:
        self.port = free_port()
        env = {**os.environ, "MOTO_PORT": str(self.port)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer within {self.startup_timeout:g}s")

    def reset(self) -> None:
        """Forget every bucket (moto's reset API)."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _error_body(code: str, message: str) -> bytes:
    """An S3 error document, as S3 itself sends it."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>piimap-test</RequestId></Error>"
    ).encode()


_SLOW_DOWN = _error_body("SlowDown", "Please reduce your request rate.")
_ACCESS_DENIED = _error_body("AccessDenied", "Access Denied")


@dataclass(frozen=True)
class SeenRequest:
    """One request the proxy answered: what was asked and how many body bytes went back."""

    method: str
    path: str
    range: str | None
    status: int
    body_bytes: int


class FaultProxy:
    """An HTTP proxy in front of ``upstream`` that injects S3 errors.

    ``slow_down_first``: answer this many requests (of any kind) with 503 SlowDown first.
    ``denied_keys``: object keys whose GET/HEAD gets 403 AccessDenied.
    ``fail_all_with``: answer every request with 403 and this error code (``InvalidAccessKeyId``).
    ``requests`` records a :class:`SeenRequest` for every request.
    """

    def __init__(
        self,
        upstream: str,
        *,
        slow_down_first: int = 0,
        denied_keys: Iterable[str] = (),
        fail_all_with: str | None = None,
    ) -> None:
        self.upstream = urlsplit(upstream)
        self.fail_all_with = fail_all_with
        self.slow_down_left = slow_down_first
        self.denied_keys = frozenset(denied_keys)
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _fault_for(self, method: str, path: str) -> tuple[int, bytes] | None:
        if self.fail_all_with:
            return 403, _error_body(self.fail_all_with, "The request was refused.")
        with self._lock:
            if self.slow_down_left > 0:
                self.slow_down_left -= 1
                return 503, _SLOW_DOWN
        # Path-style addressing: /bucket/key
        key = unquote(urlsplit(path).path).lstrip("/").partition("/")[2]
        if method in ("GET", "HEAD") and key in self.denied_keys:
            return 403, _ACCESS_DENIED
        return None

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                return None

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy._fault_for(self.command, self.path)
                if fault is not None:
                    status, payload = fault
                    proxy._record(self.command, self.path, self.headers.get("Range"), status, len(payload))
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                    return
                connection = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=30
                )
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                finally:
                    connection.close()
                proxy._record(
                    self.command, self.path, self.headers.get("Range"), response.status, len(payload)
                )
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in (
                        "connection",
                        "transfer-encoding",
                        "content-length",
                        "server",
                        "date",
                    ):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def _record(self, method: str, path: str, range_header: str | None, status: int, size: int) -> None:
        with self._lock:
            self.requests.append(SeenRequest(method, unquote(path), range_header, status, size))

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
