"""A throwaway PostgreSQL cluster for the test session, started from local binaries.

``initdb`` refuses to run as root, so as root the binaries run through ``runuser`` as the
``postgres`` user. ``FUTUREDOCTOR_TEST_DATABASE_URL`` points the tests at an existing server
instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True)


@dataclass
class Cluster:
    """A running throwaway cluster that a test may stop and start again (outage tests)."""

    bindir: Path
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _pg_ctl(self, *args: str) -> None:
        _run([str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), *args])

    def start(self) -> None:
        options = f"-k {self.root} -h 127.0.0.1 -p {self.port} -F"
        self._pg_ctl("-w", "-l", str(self.root / "log"), "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """``immediate`` is a crash: no checkpoint, every connection cut at once."""
        self._pg_ctl("-m", mode, "stop")


@contextmanager
def running_cluster(bindir: Path) -> Iterator[Cluster]:
    """Initialise and start a cluster in a fresh temporary folder; remove it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="futuredoctor-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]
    )
    cluster = Cluster(bindir, root, _free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@contextmanager
def throwaway_cluster(bindir: Path) -> Iterator[str]:
    """Yield a server URL (``postgresql+psycopg://postgres@127.0.0.1:PORT``)."""
    with running_cluster(bindir) as cluster:
        yield cluster.url
