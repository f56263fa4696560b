"""Register, log in, log out."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.accounts import AccountError, create_account, find_user
from quizapp.auth.forms import LoginForm, RegisterForm

bp = Blueprint("auth", __name__)


@cache
def unknown_user_hash() -> str:
    """Checked against when the username is unknown, so that a login takes as long either way."""
    return generate_password_hash("not the password of anyone")


@bp.route("/register", methods=["GET", "POST"])
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
            login_user(user)
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(url_for("quiz.home"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
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
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong username or password.")
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()  # the CSRF token was checked for every POST before this view runs
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
