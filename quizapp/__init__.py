"""quizapp: graded quizzes and flashcards from YAML question banks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_url
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from quizapp.config import load_config
from quizapp.database import private_sqlite_files, tune_sqlite
from quizapp.extensions import csrf, db, limiter, login_manager, migrate
from quizapp.filters import register_filters
from quizapp.forms import MAX_INT, whole_number
from quizapp.logs import init_logging, request_id
from quizapp.schema import warn_if_newer
from quizapp.site_settings import settle_time_zone


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, banks, blueprints, error pages, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["id"] = RowId
    load_config(app, test_config)
    init_logging(app)  # before trust_proxies: the access log is to see the client's address
    init_live_connections(app)  # before trust_proxies too: live games' connections see it as well
    trust_proxies(app)
    init_extensions(app)
    warn_if_newer(app)
    settle_time_zone(app)
    init_banks(app)
    register_blueprints(app)
    register_filters(app)
    register_error_pages(app)
    register_security_headers(app)
    register_commands(app)
    return app


class RowId(IntegerConverter):
    """A database row id in a URL: a positive integer that fits the column (larger ones are 404)."""

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_INT)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from their
    X-Forwarded-* headers (the rate limits count per client address, and HTTPS is the proxy's)."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # Flask's documented way to add WSGI middleware, which mypy takes for overwriting a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def init_live_connections(app: Flask) -> None:
    """Serve live games' Socket.IO connections at /socket.io/ (quizapp.live.events), through the
    message queue LIVE_MESSAGE_QUEUE when several processes share the games."""
    from quizapp.live import events

    events.init_app(app)


def init_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF protection and logins to the app."""
    from quizapp.accounts import sessions
    from quizapp.accounts.operations import SignedIn

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIR", _migrations_dir(app)))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to go on."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> SignedIn | None:
        return sessions.load(session_id)

    @login_manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        # A page's autosave gets an answer its script can act on; a page, the login form (which
        # brings the learner back where they were).
        if request.method == "POST" and _attempt_in_url() is not None:
            return session_ended()
        if not sessions.ended_reason():  # that says why already
            flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, request.url))

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            private_sqlite_files(db.engine, app.logger)
            tune_sqlite(db.engine)


def _migrations_dir(app: Flask) -> str:
    return str(Path(app.root_path).parent / "migrations")


def init_banks(app: Flask) -> None:
    """Serve each bank's latest revision in the database, the same on every host, and keep this
    host's banks folder in step with it (quizapp.bankstore)."""
    from quizapp.bankstore import BankStore

    app.extensions["quizapp.banks"] = BankStore(app.config["BANKS_DIR"], app.config["BANK_CHECK_SECONDS"])


def register_blueprints(app: Flask) -> None:
    """Mount the pages: accounts, quizzes, flashcards, classes, grades, the bank editor, live games,
    the admin's pages and the health checks. Each feature's package holds its views and templates."""
    from quizapp.accounts.views import bp as accounts
    from quizapp.admin.views import bp as admin
    from quizapp.bank_editor.views import bp as bank_editor
    from quizapp.classrooms.views import bp as classrooms
    from quizapp.grades.views import bp as grades
    from quizapp.health import bp as health
    from quizapp.live.views import bp as live
    from quizapp.quizzes.views import bp as quizzes
    from quizapp.study.views import bp as study

    for blueprint in (accounts, quizzes, study, classrooms, grades, bank_editor, live, admin, health):
        app.register_blueprint(blueprint)


#: Errors worded for the people who meet them, instead of Werkzeug's words: (title, message).
PLAIN_ERRORS = {
    403: (
        "Not allowed",
        "You don't have access to this page. "
        "If you think you should, ask the person who runs this class or bank.",
    ),
    404: ("Not found", "There is nothing here. The link may be old, or the address mistyped."),
}


def register_error_pages(app: Flask) -> None:
    """Show errors as pages in the app's layout, with a message a learner can act on."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        if _attempt_in_url() is not None:
            return session_ended()
        # Behind a proxy that hides the public host, every form fails here: the log says why.
        app.logger.warning("form refused: %s (host %s, %s)", error.description, request.host, request.scheme)
        message = (
            "This form was not accepted: it expired or came from another site. "
            "Go back, reload the page and send it again."
        )
        return render_template("error.html", title="Form expired", message=message), 400

    @app.errorhandler(429)
    def too_many(error: HTTPException) -> ResponseReturnValue:
        message = (
            "Too many tries from your network in a short time. Wait a minute, then try again; "
            "nothing you typed elsewhere is lost."
        )
        return render_template("error.html", title="Too many tries", message=message), 429

    @app.errorhandler(500)
    def server_error(error: HTTPException) -> ResponseReturnValue:
        # Flask has logged the traceback with the request's id; the page shows only the id.
        title = "Something went wrong"
        message = (
            "Something went wrong on our side, and it has been logged. Try again in a moment; if it "
            f"happens again, tell whoever runs this site, quoting request {request_id()}."
        )
        try:
            return render_template("error.html", title=title, message=message), 500
        except Exception:  # the layout needs what failed (the database, say): a page without it
            app.logger.exception("the error page failed too")
            return Response(f"{title}. {message}\n", 500, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        title, message = PLAIN_ERRORS.get(code, (error.name, error.description or ""))
        if error.description and error.description != type(error).description:  # a view's own says more
            message = error.description
        return render_template("error.html", title=title, message=message), code


def _attempt_in_url() -> int | None:
    return (request.view_args or {}).get("attempt_id") if request.blueprint == "quizzes" else None


def session_ended() -> ResponseReturnValue:
    """The answer to an attempt's form (or autosave) sent after the session ended: logged out, or
    the browser's session cookie gone. What was saved is safe, the page's script keeps the rest in
    the browser, and logging in leads back to the attempt."""
    page = request.form.get("page", type=whole_number)
    back = url_for("quizzes.attempt", attempt_id=_attempt_in_url(), page=page if page and page > 1 else None)
    login = url_for("accounts.login", next=back)
    if request.endpoint == "quizzes.draft":
        message = "Your session ended. Log in again to save; your answers are kept in this browser."
        return jsonify(saved=False, state="session-ended", message=message, login_url=login), 401
    return render_template(
        "quizzes/session_ended.html", back=back, login=login, signed_in=current_user.is_authenticated
    ), 401


def register_security_headers(app: Flask) -> None:
    """Tell browsers to run only our own scripts and styles, never to frame our pages, and to keep
    nothing a signed-in person sees."""

    @app.after_request
    def headers(response: Response) -> Response:
        if request.endpoint != "static" and current_user.is_authenticated:
            # Pages, saved answers (JSON) and downloads of a signed-in person must not come back
            # from a cache after logout on a shared computer.
            response.headers.setdefault("Cache-Control", "no-store")
        policy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        # The other origins a page's script may open connections to (a live game's port).
        if connect := g.get("connect_src"):
            policy += "; connect-src 'self' " + " ".join(connect)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_commands(app: Flask) -> None:
    """Add quizapp's own commands to the Flask CLI."""
    from quizapp.cli import attempts_cli, backup, banks_cli, export_cli, settings_cli, users_cli

    app.cli.add_command(attempts_cli)
    app.cli.add_command(banks_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(backup)
    app.cli.add_command(settings_cli)
