"""eduplatform: a school's yearly online-safety programme, on one Flask site.

:func:`create_app` builds the application. It reads settings and content and registers the
features; it does no database work (``flask --app app init-db`` creates and upgrades the schema).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from werkzeug.routing import IntegerConverter

from eduplatform import config as settings
from eduplatform.access import refuse_undeclared_views
from eduplatform.accounts.sso import init_sso
from eduplatform.catalogue import load_catalogue
from eduplatform.db import db, import_models
from eduplatform.errors import register_error_handlers
from eduplatform.extensions import babel, csrf, login_manager
from eduplatform.i18n import (
    bidi_isolate,
    install_template_gettext,
    language_name,
    offered_languages,
    select_locale,
    select_time_zone,
    text_direction,
)
from eduplatform.rate_limits import init_rate_limits
from eduplatform.static_files import init_static_files


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the site: defaults, then the environment, then ``test_config``.

    Raises :class:`eduplatform.catalogue.ContentError` naming every bad content file, and
    :class:`eduplatform.config.ConfigError` for unsafe or malformed settings.
    """
    config: dict[str, Any] = dict(settings.DEFAULTS)
    config.update(settings.from_environment())
    config.update(test_config or {})
    instance_path = Path(config["INSTANCE_PATH"])
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = settings.load_or_create_secret_key(instance_path)
    if not config["DATA_KEY"]:
        config["DATA_KEY"] = settings.load_or_create_data_key(instance_path)
    config["DATABASE_URL"] = settings.normalise_database_url(config["DATABASE_URL"], instance_path)
    settings.validate(config)

    app = Flask(
        __name__,
        instance_path=str(instance_path),
        static_folder=str(settings.PROJECT_ROOT / "static"),
        template_folder="templates",
    )
    app.config.update(config)
    app.config.update(
        TESTING=config["ENV"] == "testing",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(config["HTTPS"]),
        SESSION_COOKIE_NAME="eduplatform_session",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=config["SESSION_MINUTES"]),
        # The cookie is sent again only when the session changed; noting activity changes it at
        # most once a minute (accounts.sessions.mark_session_active), which also extends its life.
        SESSION_REFRESH_EACH_REQUEST=False,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session
        BABEL_DEFAULT_LOCALE=config["DEFAULT_LOCALE"],
        BABEL_TRANSLATION_DIRECTORIES=config["TRANSLATIONS_PATH"],
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
    )

    import_models()  # every table known to SQLAlchemy, before any query
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone)
    install_template_gettext(app)
    _init_login(app)
    init_sso(app)
    app.url_map.converters["int"] = DatabaseIdConverter  # before the routes are added
    _register_blueprints(app)
    init_rate_limits(app)
    register_error_handlers(app)
    app.before_request(lambda: refuse_undeclared_views(app.view_functions))
    app.after_request(_security_headers)
    if config["ENV"] == "production" and not config["HTTPS"]:
        _warn_once_when_serving_without_https(app)
    _register_template_helpers(app)

    from eduplatform.cli import register_commands

    register_commands(app)
    init_static_files(app)  # before the catalogue: its pictures get fingerprinted names too

    adapter = app.url_map.bind("localhost")

    def build_url(endpoint: str, **values: Any) -> str:
        app.inject_url_defaults(endpoint, values)  # as url_for does: fingerprinted static names
        return adapter.build(endpoint, values)

    app.extensions["eduplatform.catalogue"] = load_catalogue(
        Path(config["CURRICULUM_PATH"]),
        Path(config["CONTENT_PATH"]),
        Path(app.static_folder or ""),
        build_url,
        fallback_locale=config["LOCALES"][0],
    )
    return app


def _warn_once_when_serving_without_https(app: Flask) -> None:
    """Log a loud warning at the first request a production site serves without HTTPS (not for CLI jobs)."""
    warned: list[bool] = []

    @app.before_request
    def warn() -> None:
        if not warned:
            warned.append(True)
            app.logger.warning("eduplatform is serving without HTTPS: passwords and children's records cross "
                               "the network in clear. Serve it behind TLS and set EDUPLATFORM_HTTPS=1.")


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: at most a database id's 64 bits, so a huge number is "not found"."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _init_login(app: Flask) -> None:
    from eduplatform.accounts.services import load_user_from_session
    from eduplatform.i18n import _l

    # Templates get the signed-in person itself from ``inject_helpers`` (not Flask-Login's proxy,
    # which a page would resolve some forty times).
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are tied to the user's session token instead
    login_manager.user_loader(load_user_from_session)


def _register_blueprints(app: Flask) -> None:
    from eduplatform.accounts.language_views import bp as language_bp
    from eduplatform.accounts.views import bp as accounts_bp
    from eduplatform.admin.views import bp as admin_bp
    from eduplatform.agreements.views import bp as agreements_bp
    from eduplatform.audit.views import bp as audit_log_bp
    from eduplatform.classroom.consent_views import bp as consent_register_bp
    from eduplatform.classroom.views import bp as classroom_bp
    from eduplatform.compliance.certificate_views import bp as certificates_bp
    from eduplatform.compliance.views import bp as compliance_bp
    from eduplatform.health.views import bp as health_bp
    from eduplatform.learning.views import bp as learning_bp
    from eduplatform.people.manage_views import bp as manage_people_bp
    from eduplatform.people.views import bp as people_bp
    from eduplatform.privacy.erasure_views import bp as erasure_bp
    from eduplatform.privacy.settings_views import bp as retention_bp
    from eduplatform.reports.audit_views import bp as audits_bp
    from eduplatform.reports.consent_views import bp as consent_reports_bp
    from eduplatform.reports.views import bp as reports_bp
    from eduplatform.roster.invitation_views import bp as invitations_bp
    from eduplatform.roster.views import bp as roster_bp
    from eduplatform.signin.views import bp as signin_bp
    from eduplatform.workshops.session_views import bp as workshop_sessions_bp
    from eduplatform.workshops.views import bp as workshops_bp

    for blueprint in (accounts_bp, learning_bp, agreements_bp, people_bp, health_bp, classroom_bp, roster_bp,
                      signin_bp, reports_bp, audits_bp, manage_people_bp, admin_bp, compliance_bp,
                      certificates_bp, consent_register_bp, consent_reports_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(language_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(workshop_sessions_bp)
    app.register_blueprint(erasure_bp)
    app.register_blueprint(retention_bp)
    app.register_blueprint(audit_log_bp)
    from eduplatform.privacy.export_views import bp as privacy_export_bp

    app.register_blueprint(privacy_export_bp)
    from eduplatform.concerns.filtering_views import bp as filtering_bp

    app.register_blueprint(filtering_bp)
    from eduplatform.concerns.report_views import bp as concern_reports_bp

    app.register_blueprint(concern_reports_bp)
    from eduplatform.concerns.log_views import bp as concern_log_bp

    app.register_blueprint(concern_log_bp)


def _security_headers(response: Any) -> Any:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    if current_app.config["HTTPS"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/static/"):
        return response  # eduplatform.static_files chose its lifetime: a year if fingerprinted, else minutes
    # Pages show personal records: never keep them in shared caches or the back-button cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_date, format_datetime, format_time, get_locale
    from flask_login import current_user

    from eduplatform.access import Permission, permissions_of, shows_my_classes
    from eduplatform.catalogue import current_catalogue
    from eduplatform.forms import EmptyForm
    from eduplatform.roles import Role
    from eduplatform.schools.models import year_group_label

    def rendered_once(rendered: dict[tuple[Any, ...], Any], macro: Any, *key: Any) -> Any:
        """``macro(*key)``, rendered once per page for each ``key`` (kept in the page's ``rendered``):
        a class grid has hundreds of cells but only a few kinds."""
        found = rendered.get((macro, *key))
        if found is None:
            found = rendered[(macro, *key)] = macro(*key)
        return found

    # Also for documents made outside a request (PDFs from the command line): ``dir`` and language names.
    app.jinja_env.globals.update(text_direction=text_direction, language_name=language_name,
                                 rendered_once=rendered_once)
    app.jinja_env.filters["bdi"] = bidi_isolate

    @app.context_processor
    def inject_helpers() -> dict[str, Any]:
        person = current_user._get_current_object()  # once: the menu asks a dozen questions of it
        granted = permissions_of(person)
        return {
            "current_user": person,
            "can": granted.__contains__,
            "shows_my_classes": lambda: shows_my_classes(person),
            "Permission": Permission,
            "Role": Role,
            "catalogue": current_catalogue(),
            "locale": str(get_locale()),  # chosen once per request by Flask-Babel
            "offered_languages": offered_languages,
            "empty_form": EmptyForm,
            "year_group_label": year_group_label,
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_time": format_time,
        }
