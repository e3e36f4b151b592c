"""A served app keeps its start-up heap out of the collector's full passes; tests do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from futuredoctor import create_app, heap


@pytest.fixture
def freezes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Calls to ``gc.freeze``, recorded instead of made (a test process must not freeze)."""
    calls: list[bool] = []
    monkeypatch.setattr(heap.gc, "freeze", lambda: calls.append(True))
    return calls


def _config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'heap.db'}", **extra}


def test_a_served_app_freezes_its_start_up_heap(
    tmp_path: Path, freezes: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUTUREDOCTOR_GC_FREEZE")  # the suite turns it off (conftest.py)
    create_app(_config(tmp_path))
    assert freezes == [True]


def test_tests_and_the_setting_leave_the_heap_alone(
    tmp_path: Path, freezes: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FUTUREDOCTOR_GC_FREEZE")
    create_app(_config(tmp_path, TESTING=True))
    create_app(_config(tmp_path, GC_FREEZE=False))
    monkeypatch.setenv("FUTUREDOCTOR_GC_FREEZE", "0")
    create_app(_config(tmp_path))
    assert freezes == []
