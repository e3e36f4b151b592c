"""Copy the compiled NHS.UK frontend from node_modules into the served static folder.

Run at set-up (``python -m futuredoctor.assets``). The stylesheet points at ``/assets/...``
and at web fonts on another host; we rewrite the first to our static path and drop the
second, so pages work offline and satisfy a Content-Security-Policy of 'self'.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from futuredoctor.config import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
TARGET = Path(__file__).parent / "static" / "nhsuk"
_EXTERNAL_FONT_FACE = re.compile(r"@font-face\{[^}]*https?://[^}]*\}")


def build(source: Path = SOURCE, target: Path = TARGET) -> Path:
    if not source.is_dir():
        raise SystemExit(f"{source} is missing: run `npm install` first")
    if target.exists():
        shutil.rmtree(target)
    (target / "assets").mkdir(parents=True)
    shutil.copytree(source / "assets", target / "assets", dirs_exist_ok=True)
    css = (source / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    css = _EXTERNAL_FONT_FACE.sub("", css).replace("url(/assets/", "url(assets/")
    (target / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
    shutil.copy2(source / "nhsuk-frontend.min.js", target / "nhsuk-frontend.min.js")
    return target


if __name__ == "__main__":
    print(f"NHS.UK frontend assets copied to {build()}", file=sys.stderr)
