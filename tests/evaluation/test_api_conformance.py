"""The evaluation API against its own OpenAPI description, with schemathesis: every check,
the examples, coverage and fuzzing phases, as an evaluator holding a real API token, on
SQLite and PostgreSQL. Any answer the description does not promise (a 500, HTML where JSON
is documented, a 405 without ``Allow``, a value accepted that the description forbids or
refused that it allows) fails here."""

from __future__ import annotations

import threading
import traceback
from typing import Any

import schemathesis
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from werkzeug.serving import make_server

from futuredoctor.evaluation.tokens import create_token
from futuredoctor.extensions import db
from tests.evaluation.conftest import Study

MAX_EXAMPLES = 15  # per operation and phase: keeps the run near a minute per database


def _dates_in_order(context: Any, query: dict[str, Any] | None) -> bool:
    """date_to not before date_from is documented in words (400 otherwise): a rule between
    two parameters that a schema cannot state, so generated pairs keep it."""
    start, end = (query or {}).get("date_from"), (query or {}).get("date_to")
    return not (isinstance(start, str) and isinstance(end, str) and end < start)


def _failures(schema: Any) -> tuple[list[str], set[str]]:
    """Every failed check, and the phases that ran cases."""
    failures, phases = [], set()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.NonFatalError):
            trace = "".join(traceback.format_exception(event.value))[-1500:]
            failures.append(f"{event.label}: {event.value!r}\n{trace}")
        recorder = getattr(event, "recorder", None)
        if recorder is None:
            continue
        if recorder.cases:
            phases.add(str(getattr(event, "phase", "fuzzing")))
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.failure_info is not None:
                    failure = check.failure_info.failure
                    case = recorder.cases[case_id].value
                    failures.append(
                        f"{check.name} {case.method} {case.path} query={case.query}: "
                        f"{failure.title} {failure.message}"
                    )
    return failures, phases


def test_api_keeps_its_description(app: Any, study: Study) -> None:
    _, secret = create_token(study.evaluator, "conformance", "90")
    db.session.commit()
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {secret}"},
            "checks": {"enabled": True},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "suppress-health-check": ["all"],
        }
    )
    # Over real HTTP: the checks that probe without credentials need a network transport.
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json"
        schema = schemathesis.openapi.from_url(url, config=config)
        schema.hook("filter_query")(_dates_in_order)
        failures, phases = _failures(schema)
    finally:
        server.shutdown()
    assert {"examples", "coverage", "fuzzing"} <= phases, phases
    assert failures == [], "\n".join(sorted(set(failures))[:30])
