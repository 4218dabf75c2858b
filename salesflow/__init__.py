"""salesflow: the company's memory of its customers, and process selling on top of it."""

from flask import Flask, Response, abort, has_request_context, request, session
from flask_babel import lazy_gettext
from flask_bootstrap import Bootstrap5
from flask_login import current_user
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from salesflow import labels
from salesflow.app import SalesflowApp
from salesflow.assets import is_cached_file, register_compression
from salesflow.errors import register_errorhandlers
from salesflow.extensions import babel, csrf, login_manager, migrate
from salesflow.extensions import db as database  # `salesflow.db` is the module of column types
from salesflow.unit_of_work import register_unit_of_work

SUPPORTED_LOCALES = {"en": "en", "zh": "zh_Hans"}

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    # plotly.js sets inline styles (STACK.md); scripts stay strict.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
}


def create_app(config_object: object | str = "config.Config") -> Flask:
    app = SalesflowApp(
        __name__,
        title="salesflow API",
        version="1",
        spec_path="/api/v1/openapi.json",
        # The interactive docs UI loads scripts from a CDN; the JSON document is the contract.
        docs_path=None,
    )
    app.config.from_object(config_object)
    register_extensions(app)
    register_security(app)
    register_i18n(app)
    register_routing(app)
    register_blueprints(app)
    register_reports(app)
    register_cli(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_unit_of_work(app)
    return app


def register_extensions(app: Flask) -> None:
    from salesflow import models  # noqa: F401  (all metadata, for Alembic)

    database.init_app(app)
    migrate.init_app(app, database, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.session_protection = "strong"
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)
    Bootstrap5(app)
    register_compression(app)  # scripts, styles and images; never a page

    from salesflow.auth.views import load_user

    login_manager.user_loader(load_user)


def register_security(app: Flask) -> None:
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        strict_transport_security=app.config["FORCE_HTTPS"],
        referrer_policy="same-origin",
        frame_options="DENY",
    )
    app.before_request(refuse_nul_characters)
    app.after_request(forbid_storing)
    if proxies := app.config["TRUSTED_PROXY_COUNT"]:
        # The client's address (login throttling) and scheme from the proxies' headers; without
        # trusted proxies anyone could name any address in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def forbid_storing(response: Response) -> Response:
    """A logged-in page or an API answer shows customer data: no browser or proxy may keep a copy
    (a shared computer's Back button, a cache). Static files keep their caching."""
    if is_cached_file(request.endpoint):
        return response
    if request.path.startswith("/api/") or current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def refuse_nul_characters() -> None:
    """No form field or query parameter may carry a NUL character: PostgreSQL cannot store it,
    and no person types one. Refused before any view runs (400), so nothing is half-saved."""
    values = [*request.args.values(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400)


def select_locale() -> str:
    """The user's setting, else a choice made on the login page, else the browser's language;
    English outside a request (CLI, jobs)."""
    if not has_request_context():
        return "en"
    chosen = None
    if current_user and current_user.is_authenticated and current_user.locale:
        chosen = current_user.locale
    chosen = chosen or session.get("locale")
    chosen = chosen or request.accept_languages.best_match(list(SUPPORTED_LOCALES), default="en")
    return SUPPORTED_LOCALES.get(chosen, "en")


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)


def register_routing(app: Flask) -> None:
    """Every `<int:…>` of a route is a record id: one converter for the whole app, so an id out of
    the columns' range is a 404 like any missing record (before the blueprints add their rules)."""
    from salesflow.validation import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_reports(app: Flask) -> None:
    """What the company memory shows of the reports without importing them (tests/test_layering.py):
    a handover keeps and shows its accounts' dependency risk; today's dependency figures follow
    every change of the tie counts; the board reads its column totals from the open pipeline
    the review keeps per team."""
    from salesflow.dependency.queries import risks
    from salesflow.dependency.snapshots import refresh
    from salesflow.handovers.risks import EXTENSION
    from salesflow.opportunities.queries import BOARD_TOTALS
    from salesflow.pipeline.open_deals import board_totals
    from salesflow.ties.touches import ON_CHANGE

    app.extensions[EXTENSION] = risks
    app.extensions[ON_CHANGE] = refresh
    app.extensions[BOARD_TOTALS] = board_totals


def register_blueprints(app: Flask) -> None:
    from salesflow.accounts.views import bp as accounts_bp
    from salesflow.api import bp as api_bp
    from salesflow.assets.views import bp as assets_bp
    from salesflow.auth.views import bp as auth_bp
    from salesflow.calendar.views import bp as calendar_bp
    from salesflow.contacts.views import bp as contacts_bp
    from salesflow.dependency.views import bp as dependency_bp
    from salesflow.exports.views import bp as exports_bp
    from salesflow.handovers.views import bp as handovers_bp
    from salesflow.help.views import bp as help_bp
    from salesflow.imports.views import bp as imports_bp
    from salesflow.interactions.views import bp as interactions_bp
    from salesflow.key_accounts.briefing_views import bp as briefing_bp
    from salesflow.key_accounts.deal_roles_views import bp as deal_roles_bp
    from salesflow.key_accounts.expectations_views import bp as expectations_bp
    from salesflow.key_accounts.plans_views import bp as plans_bp
    from salesflow.key_accounts.spend_views import bp as spend_bp
    from salesflow.key_accounts.tiering_views import bp as tiering_bp
    from salesflow.merges.views import bp as merges_bp
    from salesflow.notifications.views import bp as notifications_bp
    from salesflow.opportunities import actions  # noqa: F401  (adds the POST actions to bp)
    from salesflow.opportunities.views import bp as opportunities_bp
    from salesflow.pipeline.views import bp as pipeline_bp
    from salesflow.playbooks.views import bp as playbooks_bp
    from salesflow.requests.report_views import bp as request_figures_bp
    from salesflow.requests.views import bp as requests_bp
    from salesflow.restore.views import bp as restore_bp
    from salesflow.search.views import bp as search_bp
    from salesflow.teams.views import bp as teams_bp

    for blueprint in (
        auth_bp,
        accounts_bp,
        contacts_bp,
        interactions_bp,
        opportunities_bp,
        search_bp,
        teams_bp,
        handovers_bp,
        notifications_bp,
        dependency_bp,
        pipeline_bp,
        exports_bp,
        calendar_bp,
        merges_bp,
        imports_bp,
        help_bp,
        assets_bp,
        playbooks_bp,
        restore_bp,
        request_figures_bp,
        requests_bp,
        tiering_bp,
        plans_bp,
        expectations_bp,
        spend_bp,
        briefing_bp,
        deal_roles_bp,
    ):
        # HTML pages stay out of the OpenAPI document (APIFlask asks every blueprint).
        blueprint.enable_openapi = False  # type: ignore[attr-defined]
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # bearer tokens, not cookies: no CSRF exposure
    app.register_blueprint(api_bp)


def register_cli(app: Flask) -> None:
    from salesflow.auth.cli import users_cli
    from salesflow.backup.cli import backup_cli
    from salesflow.demo.cli import demo_cli
    from salesflow.dependency.cli import snapshots_cli, ties_cli
    from salesflow.handovers.cli import handovers_cli
    from salesflow.imports.cli import import_command
    from salesflow.playbooks.cli import playbooks_cli
    from salesflow.scheduler.cli import jobs_cli, scheduler_command, serve_command

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(playbooks_cli)
    app.cli.add_command(ties_cli)
    app.cli.add_command(snapshots_cli)
    app.cli.add_command(handovers_cli)
    app.cli.add_command(import_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_cli)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from salesflow import formatting, scope
    from salesflow.playbooks.schema import text as playbook_text

    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.globals["label"] = labels.label
    app.jinja_env.globals["get_locale"] = get_locale
    # Menus ask the one permission rule, never a role by name.
    app.jinja_env.globals["can_manage_users"] = scope.can_manage_users
    app.jinja_env.globals["can_plan_handovers"] = scope.can_plan_handovers
    app.jinja_env.globals["can_import"] = scope.can_import
    app.jinja_env.globals["can_see_dependency"] = scope.can_see_dependency
    app.jinja_env.globals["can_review_pipeline"] = scope.can_review_pipeline
    # Dates, times, money and numbers in the reader's locale, on the company clock.
    app.jinja_env.filters.update(formatting.FILTERS)
    # A playbook text ({en, zh}) in the reader's language.
    app.jinja_env.filters["text"] = lambda texts: playbook_text(texts, get_locale())
