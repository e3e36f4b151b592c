"""The platform's own processes, started for real by the tests that need more than one:
``flask scheduler``, a gunicorn web node and a throwaway Redis (the shared limiter store).

Each runs on the test session's clock (``tests.travel``), writes its output to a log the
test names, and is stopped (or killed) by the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import IO

import pytest
import requests

from futuredoctor.config import PROJECT_ROOT
from tests.travel import python_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    """One of our processes: started with the given environment, stopped gently or killed."""

    def __init__(self, command: list[str], env: dict[str, str], log: IO[str]) -> None:
        self.command = command
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=PROJECT_ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int | None:
        """SIGTERM, as an orchestrator stops a node; killed if it has not gone in 15 s."""
        if not self.alive():
            return self.process.returncode if self.process else None
        assert self.process is not None
        self.process.terminate()
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)


def scheduler_env(url: str, mail: Path, **settings: str) -> dict[str, str]:
    """Every email written by the ``file`` backend as its own ``.eml`` file."""
    env = {
        **os.environ,
        "FLASK_APP": "futuredoctor",
        "FUTUREDOCTOR_DATABASE_URL": url,
        "FUTUREDOCTOR_MAIL_BACKEND": "file",
        "FUTUREDOCTOR_MAIL_FILE_DIR": str(mail),
        "FUTUREDOCTOR_SCHEDULER_BATCH_SIZE": "100",
        "FUTUREDOCTOR_MAIL_CLAIM_SECONDS": "2",
    }
    env.update({f"FUTUREDOCTOR_{name}": value for name, value in settings.items()})
    return env


class Scheduler(Node):
    """``flask scheduler`` polling every second, as its own process."""

    def __init__(self, url: str, mail: Path, log: IO[str], **settings: str) -> None:
        command = python_command("flask", "scheduler", "--interval", "1")
        super().__init__(command, scheduler_env(url, mail, **settings), log)


class WebNode(Node):
    """gunicorn serving the app on a port of its own, as one web server behind a balancer."""

    def __init__(self, env: dict[str, str], log: IO[str], workers: int = 2) -> None:
        self.port = free_port()
        command = python_command(
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "10",
            "futuredoctor:create_app()",
        )
        super().__init__(command, env, log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        deadline = time.monotonic() + 60
        while True:
            assert self.alive(), "the web node exited while starting"
            try:
                if requests.get(f"{self.url}/healthz/ready", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or workers still booting
                pass
            assert time.monotonic() < deadline, "the web node did not become ready"
            time.sleep(0.2)


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Redis on a free port, nothing persisted; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "Several-node tests skipped: redis-server is not installed "
            "(apt-get install redis-server; make test installs it when run as root)"
        )
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="futuredoctor-redis-"))
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def emails(mail: Path) -> int:
    if not mail.exists():
        return 0
    return sum(1 for entry in os.scandir(mail) if entry.name.endswith(".eml"))


def message_ids(mail: Path) -> Counter[str]:
    """How many times each Message-ID was written: a message sent twice counts two."""
    parser = BytesHeaderParser()
    counts: Counter[str] = Counter()
    for path in mail.glob("*.eml"):
        with path.open("rb") as handle:
            counts[str(parser.parse(handle)["Message-ID"])] += 1
    return counts
