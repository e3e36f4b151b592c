"""Serving an app with gunicorn and loading it with wrk, both on loopback."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 16
_ROTATE = """
local cookies = {COOKIES}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", nil, {["Cookie"] = cookies[(n % #cookies) + 1]})
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``app_spec`` with the same settings for every app measured."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "-w",
            str(WORKERS),
            "-k",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz" if "futuredoctor" in app_spec else base)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in like a browser (CSRF token and all) and return the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/sign-in").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    data = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
    opener.open(base + "/sign-in", urllib.parse.urlencode(data).encode())
    cookie = next((c for c in jar if c.name == "session"), None)
    if cookie is None:
        raise RuntimeError(f"could not sign in as {email}")
    return f"session={cookie.value}"


def wrk(
    url: str, cookie: str | None = None, seconds: int = 10, cookies: list[str] | None = None
) -> float:
    """Requests per second that wrk sustains against ``url``; fails on any error response.
    With ``cookies``, each request goes out as the next person in turn."""
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    with tempfile.TemporaryDirectory() as folder:
        if cookies:
            script = Path(folder) / "rotate.lua"
            script.write_text(_ROTATE.replace("COOKIES", ", ".join(f'"{c}"' for c in cookies)))
            command += ["-s", str(script)]
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"wrk saw error responses from {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
