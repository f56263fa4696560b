"""Register, log in, log out."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.access import ANYONE, SIGNED_IN, allow
from quizapp.accounts import AccountError, create_account, end_sessions, find_user
from quizapp.auth import sessions
from quizapp.auth.forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


@cache
def unknown_user_hash() -> str:
    """Checked against when the username is unknown, so that a login takes as long either way."""
    return generate_password_hash("not the password of anyone")


@bp.route("/register", methods=["GET", "POST"])
@allow(ANYONE)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("quiz.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_account(form.username.data, form.display_name.data, form.password.data)
        except AccountError as exc:
            form.username.errors.append(str(exc))
        else:
            sessions.begin(user)
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(url_for("quiz.home"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@allow(ANYONE)
def login():
    if current_user.is_authenticated:
        # Logged in again in another tab: a link back to an attempt still leads there.
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if user is None:
            check_password_hash(unknown_user_hash(), form.password.data)
        elif user.check_password(form.password.data):
            sessions.begin(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong username or password.")
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@allow(SIGNED_IN)
def logout():
    end_sessions(current_user.id)  # this cookie, and any copy of it, opens nothing any more
    logout_user()  # the CSRF token was checked for every POST before this view runs
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: only a path on this site, never another host."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("quiz.home")
