"""The Future Doctor pilot platform: a Flask application for England's generalist-skills
pilots. ``create_app`` is the only entry point; nothing runs at import time."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask_login import current_user
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from futuredoctor import clock
from futuredoctor.config import check_config, load_config
from futuredoctor.extensions import csrf, db, limiter, login_manager, migrate
from futuredoctor.undefined import NamedUndefined


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(config))
    check_config(app.config)
    from futuredoctor.logs import configure_logging

    configure_logging(app.config)
    from futuredoctor.error_reporting import init_error_reporting

    init_error_reporting(app.config)

    app.jinja_options = {
        # Escape everything, including the NHS.UK macros (".jinja" files, which Flask's
        # default would leave unescaped).
        "autoescape": True,
        # nhsuk-frontend-jinja macros read optional params; tests also refuse unknown names.
        "undefined": NamedUndefined if app.config.get("STRICT_TEMPLATES") else ChainableUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    from futuredoctor.chrome import ComponentLoader

    # The app's own templates first, then the NHS.UK macros, whose components are
    # remembered by their parameters (chrome.py); blueprints' folders still apply.
    app.jinja_loader = ComponentLoader(
        ChoiceLoader(
            [FileSystemLoader(app.root_path + "/templates"), PackageLoader("nhsuk_frontend_jinja")]
        )
    )

    _trust_proxies(app)
    db.init_app(app)

    from futuredoctor.request_log import init_request_log

    init_request_log(app)  # first hooks: the request's clock starts before the others
    from futuredoctor.metrics import init_metrics

    init_metrics(app)
    from futuredoctor.transactions import init_transactions

    init_transactions(app)
    from futuredoctor.evaluation.stored_redaction import init_stored_redaction

    init_stored_redaction()  # free text is stored de-identified whenever it is written
    migrate.init_app(app, db, directory=str(_project_path("migrations")))
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)

    from futuredoctor.security import init_security_headers

    init_security_headers(app)
    from futuredoctor.converters import DatabaseIntConverter

    app.url_map.converters["int"] = DatabaseIntConverter  # before any route is added
    _register_blueprints(app)
    _register_template_helpers(app)
    _enforce_access_rules(app)

    from futuredoctor.errors import register_error_handlers

    register_error_handlers(app)

    from futuredoctor.cli import register_cli

    register_cli(app)
    from futuredoctor.heap import freeze_startup_heap

    freeze_startup_heap(app)  # last: everything above lives as long as the process
    return app


def _trust_proxies(app: Flask) -> None:
    """Read the client's address from ``X-Forwarded-For`` only through the configured
    number of trusted proxy hops: behind a proxy every client would otherwise share the
    proxy's address (and its sign-in limit), and with no proxy a client could pick any
    address it likes."""
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_prefix=0
        )
    if app.config["ENV_NAME"] == "production" and str(
        app.config.get("RATELIMIT_STORAGE_URI", "")
    ).startswith("memory://"):
        app.logger.warning(
            "Sign-in limits are counted in memory (FUTUREDOCTOR_RATELIMIT_STORAGE_URI="
            "memory://): each web worker counts on its own, so with several workers a client "
            "gets that many times the limit. Use a shared store such as redis://."
        )


def _project_path(name: str) -> str:
    from futuredoctor.config import PROJECT_ROOT

    return str(PROJECT_ROOT / name)


def _init_login(app: Flask) -> None:
    from futuredoctor.auth import sessions

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # One query for the account, its grants and its open session row.
    login_manager.user_loader(sessions.load)


def _register_blueprints(app: Flask) -> None:
    from futuredoctor.admin import outbox_views  # noqa: F401  (adds routes to admin_bp)
    from futuredoctor.admin.views import bp as admin_bp
    from futuredoctor.auth.views import bp as auth_bp
    from futuredoctor.community import (  # noqa: F401  (add routes to community_bp)
        calendar_views,
        directory_views,
        follow_views,
        moderation_views,
        network_views,
        opportunity_views,
        organiser_views,
        profile_views,
    )
    from futuredoctor.community.blueprint import bp as community_bp
    from futuredoctor.educators.views import bp as educators_bp
    from futuredoctor.enrolment.views import bp as enrolment_bp
    from futuredoctor.evaluation import (
        history_views,  # noqa: F401  (adds routes)
        project_views,  # noqa: F401  (adds routes to evaluation_bp)
    )
    from futuredoctor.evaluation.api import bp as api_bp
    from futuredoctor.evaluation.views import bp as evaluation_bp
    from futuredoctor.health import bp as health_bp
    from futuredoctor.learning.views import bp as learning_bp
    from futuredoctor.livinglab.views import bp as livinglab_bp
    from futuredoctor.main.views import bp as main_bp
    from futuredoctor.metrics import bp as metrics_bp
    from futuredoctor.notifications.views import bp as notifications_bp
    from futuredoctor.pilots.views import bp as pilots_bp
    from futuredoctor.releases.views import bp as releases_bp

    for blueprint in (
        health_bp,
        metrics_bp,
        main_bp,
        auth_bp,
        learning_bp,
        pilots_bp,
        admin_bp,
        releases_bp,
        notifications_bp,
        enrolment_bp,
        livinglab_bp,
        community_bp,
        evaluation_bp,
        api_bp,
        educators_bp,
    ):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from futuredoctor.chrome import PERSON, fixed_url, links, template_component
    from futuredoctor.navigation import navigation_for
    from futuredoctor.nhsuk_attributes import nhsuk_attributes
    from futuredoctor.permissions import Permission, has_permission
    from futuredoctor.select_options import select_options
    from futuredoctor.timezones import format_local, format_local_date

    app.jinja_env.globals["component"] = template_component
    app.jinja_env.globals["chrome_links"] = links
    app.jinja_env.globals["person_slot"] = PERSON
    app.jinja_env.globals["fixed_url"] = fixed_url
    app.jinja_env.globals["nhsuk_attributes"] = nhsuk_attributes
    app.jinja_env.globals["select_options"] = select_options
    app.jinja_env.filters["local_datetime"] = format_local
    app.jinja_env.filters["local_date"] = format_local_date
    app.jinja_env.filters["long_date"] = lambda d: f"{d.day} {d:%B %Y}" if d else ""

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "navigation": navigation_for(current_user, request.endpoint or ""),
            "can": lambda permission: has_permission(current_user, Permission(permission)),
            "today": clock.today_uk(),
            "service_name": "Future Doctor pilots",
        }


def _enforce_access_rules(app: Flask) -> None:
    """Protected by default: a view must declare who may use it, or nobody can."""
    from futuredoctor.permissions import access_rule

    @app.before_request
    def _check_access() -> Any:
        if request.endpoint is None or request.endpoint == "static":
            return None
        rule = access_rule(app.view_functions.get(request.endpoint))
        if rule is None:
            abort(403)
        if rule[0] != "public" and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None
