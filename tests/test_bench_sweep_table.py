"""The sweep table's arithmetic: the ratio decides a row, and a row not met says where its
time beyond the floor's goes, read from the app's ``Server-Timing`` header."""

from __future__ import annotations

from benchmarks.route_sweep import Target
from benchmarks.suite_routes import Timing, database_ms, sweep_table


def test_the_database_time_is_read_from_server_timing() -> None:
    assert database_ms('db;dur=3.4;desc="5 statements", app;dur=12.0') == 3.4
    assert database_ms("app;dur=12.0") is None
    assert database_ms(None) is None


def test_a_row_not_met_splits_its_excess_between_app_and_database() -> None:
    floor = Timing(p95=[4.0, 4.0, 5.0], median=[3.0, 3.0, 3.0], db=[1.0, 1.0, 1.0])
    slow = Target("learning.catalogue", "participant", "/modules", "p@example.nhs.uk")
    quick = Target("learning.home", "participant", "/", "p@example.nhs.uk")
    slow.size = quick.size = 10_000
    timings = {
        ("learning.catalogue", "participant"): Timing(
            p95=[20.0, 22.0, 21.0],
            median=[15.0, 16.0, 14.0],
            db=[5.0, 4.0, 6.0],
            floor_p95=[4.0, 4.0, 5.0],
        ),
        # each run's p95 over the floor timed just before it: 8/4, 15/5, 10/5 = 2, 3, 2
        ("learning.home", "participant"): Timing(
            p95=[8.0, 15.0, 10.0],
            median=[5.0, 5.0, 5.0],
            db=[2.0, 2.0, 2.0],
            floor_p95=[4.0, 5.0, 5.0],
        ),
    }
    lines, met, counted = sweep_table([quick, slow], timings, floor)
    assert (met, counted) == (1, 2)
    rows = [line for line in lines if line.startswith("| `")]
    assert rows[0].startswith("| `/modules` ")  # worst ratio first
    # median 15 - floor 3 = 12 beyond the floor, of which 5 - 1 = 4 in statements
    assert rows[0].endswith("**no**: +8.0 ms app, +4.0 ms db |")
    assert rows[1].endswith("| yes |")
    assert "| 2.0 (2.0–3.0) |" in rows[1]



def test_public_pages_are_swept_as_every_role_with_something_of_its_own(app, db_session) -> None:
    """The home page is public, and each role's dashboard once signed in: every role opens
    a public page, and only rows that do nothing beyond the signed-out page are dropped."""
    from benchmarks.route_sweep import (
        SIGNED_OUT,
        count_in_process,
        may_open,
        same_as_signed_out,
    )
    from futuredoctor.models import Role
    from tests.factories import PASSWORD, make_user

    assert may_open(("public",), SIGNED_OUT) and may_open(("public",), "participant")
    assert not may_open(("signed_in",), SIGNED_OUT)
    email = make_user(roles=[(Role.PARTICIPANT, None)]).email
    db_session.commit()
    found = [
        Target("main.home", SIGNED_OUT, "/", None),
        Target("main.home", "participant", "/", email),
        Target("main.privacy", "participant", "/privacy", email),
    ]
    for target in found:
        target.public = True
    count_in_process(app, found, PASSWORD)
    kept = [(t.url, t.role) for t in found if not same_as_signed_out(t)]
    assert kept == [("/", SIGNED_OUT), ("/", "participant")]
    assert found[1].queries > found[0].queries
