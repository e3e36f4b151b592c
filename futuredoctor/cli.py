"""``flask`` commands: content check/sync, demo data, backup. Each command commits once."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from futuredoctor.config import BUILT_IN_SECRET_ENVS
from futuredoctor.extensions import db


def register_cli(app: Flask) -> None:
    content = AppGroup("content", help="Check and load module, region and framework files.")

    @content.command("check")
    def content_check() -> None:
        """Validate every content file; print file:line: field: problem for each."""
        from futuredoctor.content import check_content

        problems = check_content(_dir("CONTENT_DIR"), _dir("REGIONS_DIR"))
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            click.echo(f"{len(problems)} problem(s) found; nothing was loaded.", err=True)
            sys.exit(1)
        click.echo("Content is valid.")

    @content.command("sync")
    def content_sync() -> None:
        """Load content into the database; unchanged files change nothing."""
        from futuredoctor.content import ContentError, sync_content

        try:
            report = sync_content(db.session(), _dir("CONTENT_DIR"), _dir("REGIONS_DIR"))
        except ContentError as error:
            db.session.rollback()
            for problem in error.problems:
                click.echo(str(problem), err=True)
            click.echo("Content has problems; nothing was written.", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(report.summary())

    app.cli.add_command(content)

    from futuredoctor.scheduler import register_scheduler_command

    register_scheduler_command(app)

    @app.cli.command("demo")
    @click.option("--password", default=None, help="Password for every demo account.")
    def demo(password: str | None) -> None:
        """Create demo accounts and activity (repeatable; never in production)."""
        from futuredoctor.demo import DEMO_PASSWORD, create_demo_data
        from futuredoctor.refusals import Refusal

        env = current_app.config["ENV_NAME"]
        if env not in BUILT_IN_SECRET_ENVS:
            click.echo(f"Refusing to create demo accounts in {env}.", err=True)
            sys.exit(1)
        try:
            logins = create_demo_data(password or DEMO_PASSWORD)
        except Refusal as refusal:  # data already there that the demo cannot build on
            db.session.rollback()
            click.echo(f"Demo data not created, nothing was changed: {refusal.message}.", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo("Demo accounts (password: %s):" % (password or DEMO_PASSWORD))
        for role, email in logins:
            click.echo(f"  {role:<22} {email}")


    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup(path: Path) -> None:
        """Write a consistent copy of the SQLite database to PATH while the app runs."""
        from futuredoctor.backup import BackupRefused, backup_sqlite

        try:
            size = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
        except BackupRefused as refusal:
            click.echo(str(refusal), err=True)
            sys.exit(1)
        click.echo(f"Backed up to {path} ({size} bytes).")


def _dir(key: str) -> Path:
    return Path(current_app.config[key])
