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


# Each test copies a template database: some 300 small files made and removed. On a disk
# whose free space is scattered that took 250 to 550 ms a database here (and 15 ms in
# memory), about a fifth of the suite's time, so the cluster lives in memory when it can.
MEMORY_DIR = Path("/dev/shm")
MEMORY_NEEDED = 1 << 30  # bytes free: the templates and a few test databases at once


def _cluster_parent() -> str | None:
    """Where to make the cluster's folder: in memory when there is room, else the
    system's temporary folder."""
    try:
        free = os.statvfs(MEMORY_DIR)
    except OSError:
        return None
    roomy = free.f_bavail * free.f_frsize >= MEMORY_NEEDED
    return str(MEMORY_DIR) if roomy and os.access(MEMORY_DIR, os.W_OK) else None


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
    root = Path(tempfile.mkdtemp(prefix="futuredoctor-pg-", dir=_cluster_parent()))
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
