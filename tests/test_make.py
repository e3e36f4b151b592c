"""The Makefile front door: links in emails follow the port served, and lint reads only
tracked files."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from futuredoctor.config import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "FUTUREDOCTOR_PUBLIC_URL"}
    environment.update(env)
    return subprocess.run(
        ["make", "-n", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_run_links_follow_the_port_unless_a_public_url_is_set() -> None:
    served = _dry_run("run", "PORT=8123")
    assert 'FUTUREDOCTOR_PUBLIC_URL="http://127.0.0.1:8123"' in served
    assert "--port 8123" in served
    everywhere = _dry_run("run", "HOST=0.0.0.0", "PORT=8124")
    assert 'FUTUREDOCTOR_PUBLIC_URL="http://127.0.0.1:8124"' in everywhere
    chosen = _dry_run("run", "PORT=8125", FUTUREDOCTOR_PUBLIC_URL="https://pilot.example.nhs.uk")
    assert 'FUTUREDOCTOR_PUBLIC_URL="https://pilot.example.nhs.uk"' in chosen


def test_make_lint_checks_only_tracked_files() -> None:
    lint = _dry_run("lint")
    command = next(line for line in lint.splitlines() if "/ruff check" in line)
    assert "futuredoctor/__init__.py" in command and " . " not in f"{command} "
