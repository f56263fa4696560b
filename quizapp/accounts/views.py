"""Register, log in, log out; change a password, end other sessions, reset with a code."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from quizapp.access import ANYONE, SIGNED_IN, allow
from quizapp.accounts import sessions
from quizapp.accounts.forms import EmailForm, LoginForm, PasswordChangeForm, RegisterForm, ResetForm
from quizapp.accounts.operations import (
    AccountError,
    LoginRefused,
    authenticate,
    change_password,
    create_account,
    end_sessions,
    reset_password,
    set_email,
)
from quizapp.extensions import db, rate_limit
from quizapp.forms import EmptyForm, button_pressed
from quizapp.models import User

bp = Blueprint("accounts", __name__, template_folder="templates")


@bp.app_template_global()
def logout_form() -> EmptyForm:
    """The form of the layout's "Log out" button. It is on every signed-in page, whatever view
    renders it, so the layout makes it rather than every view passing one."""
    return EmptyForm(formdata=None)


@bp.route("/register", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limit("REGISTER_RATE_LIMIT")
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("quizzes.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_account(form.username.data, form.display_name.data, form.password.data)
        except AccountError as exc:
            form.username.errors.append(str(exc))
        else:
            sessions.begin(user)
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(url_for("quizzes.home"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limit("LOGIN_RATE_LIMIT")
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # Logged in again in another tab: a link back to an attempt still leads there.
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except LoginRefused as exc:
            form.password.errors.append(str(exc))
        else:
            sessions.begin(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@allow(SIGNED_IN)
def logout() -> ResponseReturnValue:
    button_pressed()
    end_sessions(current_user.id)  # this cookie, and any copy of it, opens nothing any more
    logout_user()  # the CSRF token was checked for every POST before this view runs
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@allow(SIGNED_IN)
def account() -> ResponseReturnValue:
    return account_page(PasswordChangeForm())


def account_page(form: PasswordChangeForm, email_form: EmailForm | None = None) -> str:
    if email_form is None:
        email_form = EmailForm(formdata=None, email=db.session.get_one(User, current_user.id).email)
    return render_template("accounts/account.html", form=form, email_form=email_form, buttons=EmptyForm())


@bp.post("/account/email")
@allow(SIGNED_IN)
def change_email() -> ResponseReturnValue:
    form = EmailForm()
    if form.validate_on_submit():
        try:
            user = set_email(current_user.id, form.email.data or "")
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(
                f"Your e-mail address is now {user.email}."
                if user.email
                else "Your e-mail address is removed.",
                "success",
            )
            return redirect(url_for("accounts.account"))
    return account_page(PasswordChangeForm(formdata=None), form), 422


@bp.post("/account/password")
@allow(SIGNED_IN)
@rate_limit("LOGIN_RATE_LIMIT")
def change_password_view() -> ResponseReturnValue:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            user = change_password(current_user.id, form.current.data, form.password.data)
        except AccountError as exc:
            field = form.current if "current" in str(exc) or "locked" in str(exc) else form.password
            field.errors.append(str(exc))
        else:
            sessions.begin(user)  # this session goes on under the new generation; every other one ended
            flash("Password changed. You were logged out everywhere else.", "success")
            return redirect(url_for("accounts.account"))
    return account_page(form), 422


@bp.post("/account/sessions/end")
@allow(SIGNED_IN)
def end_other_sessions() -> ResponseReturnValue:
    button_pressed()
    end_sessions(current_user.id)
    sessions.begin(db.session.get_one(User, current_user.id))
    flash("You were logged out everywhere else: on other browsers and devices.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/password/reset", methods=["GET", "POST"])
@allow(ANYONE)
@rate_limit("RESET_RATE_LIMIT")
def reset() -> ResponseReturnValue:
    form = ResetForm()
    if form.validate_on_submit():
        try:
            reset_password(form.username.data, form.code.data, form.password.data)
        except AccountError as exc:
            (form.password if "password" in str(exc).lower() else form.code).errors.append(str(exc))
        else:
            if current_user.is_authenticated:
                logout_user()
                session.clear()
            flash("Your new password is set. Log in with it.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 422 if form.errors else 200


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
    return url_for("quizzes.home")
