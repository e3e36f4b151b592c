"""flask content check / sync from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask

from futuredoctor.config import PROJECT_ROOT


def test_check_passes_on_shipped_content(app: Flask, runner) -> None:
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "Content is valid" in result.output


def test_check_names_file_line_and_field_on_a_broken_copy(
    app: Flask, runner, tmp_path: Path
) -> None:
    content = tmp_path / "modules_content"
    shutil.copytree(PROJECT_ROOT / "modules_content", content)
    module = content / "teaching-on-the-job" / "module.md"
    text = module.read_text(encoding="utf-8").replace("  - GPC8\n", "  - GPC42\n", 1)
    module.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  - GPC42") + 1
    app.config["CONTENT_DIR"] = str(content)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert f"teaching-on-the-job/module.md:{line}: gpc_domains[0]" in result.output


def test_sync_is_idempotent_and_refuses_broken_content(app: Flask, runner, tmp_path: Path) -> None:
    again = runner.invoke(args=["content", "sync"])
    assert again.exit_code == 0, again.output
    regions = tmp_path / "regions"
    shutil.copytree(PROJECT_ROOT / "regions", regions)
    (regions / "london.toml").write_text("code = [broken", encoding="utf-8")
    app.config["REGIONS_DIR"] = str(regions)
    broken = runner.invoke(args=["content", "sync"])
    assert broken.exit_code == 1
    assert "london.toml:1" in broken.output and "nothing was written" in broken.output
