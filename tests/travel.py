"""Child processes at the test session's clock.

time-machine moves this process's clock only, so a command a test starts (``flask
scheduler --once``) would otherwise run at the real now while the rows it reads were dated
around ``FUTUREDOCTOR_TEST_NOW``. ``python_command()`` builds a command that runs a module
through this file, which moves the child's clock to the same place (and ticks on):

    python -m tests.travel <offset seconds from the real clock> <module> [args...]
"""

from __future__ import annotations

import runpy
import sys
from datetime import UTC, datetime, timedelta

import time_machine
from time_machine import escape_hatch

from futuredoctor import clock


def python_command(module: str, *args: str) -> list[str]:
    """``python -m module args``, on the test session's clock."""
    if not escape_hatch.is_travelling():
        return [sys.executable, "-m", module, *args]
    offset = clock.now() - escape_hatch.datetime.datetime.now(UTC)
    return [sys.executable, "-m", "tests.travel", str(offset.total_seconds()), module, *args]


def main() -> None:
    offset, module, *args = sys.argv[1:]
    instant = datetime.now(UTC) + timedelta(seconds=float(offset))
    sys.argv = [module, *args]
    with time_machine.travel(instant, tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
