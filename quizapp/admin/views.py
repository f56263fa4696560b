"""The site administrator's pages: every account, its role, its lockout, its sessions and a
password reset code; and the site's settings.

Every POST has had its CSRF token checked (CSRFProtect, for the whole app) before a view runs.
"""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import Select, func, or_, select

from quizapp.access import ADMIN, allow
from quizapp.accounts.operations import (
    AccountError,
    change_role,
    check_role_change,
    end_sessions,
    is_locked,
    make_reset_code,
    unlock,
)
from quizapp.admin.forms import RoleForm, SiteSettingsForm
from quizapp.extensions import db
from quizapp.forms import Confirmation, EmptyForm, ask, button_pressed, confirmed
from quizapp.models import User, utcnow
from quizapp.site_settings import SettingError, school_zone_name, set_school_zone
from quizapp.text import clean_text

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

#: Accounts on one page of the list.
PER_PAGE = 50
#: A search longer than this is cut: no username or display name is longer.
MAX_QUERY = 80


@bp.get("/users")
@allow(ADMIN)
def users() -> ResponseReturnValue:
    q = clean_text(request.args.get("q", "")).strip()[:MAX_QUERY]
    page = request.args.get("page", 1, type=int)
    found = matching(q)
    total = db.session.scalar(select(func.count()).select_from(found.subquery())) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    if not 1 <= page <= pages:
        abort(404, f"This list has {pages} page{'' if pages == 1 else 's'}; there is no page {page}.")
    accounts = db.session.scalars(found.order_by(User.username).limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    now = utcnow()
    return render_template(
        "admin/users.html",
        accounts=[(account, is_locked(account, now)) for account in accounts],
        q=q,
        page=page,
        pages=pages,
        total=total,
    )


def matching(q: str) -> Select[User]:
    """Accounts whose username or display name contains ``q``, in any case; "%" and "_" in ``q``
    are themselves, not wildcards."""
    query = select(User)
    if q:
        query = query.where(
            or_(User.username.icontains(q, autoescape=True), User.display_name.icontains(q, autoescape=True))
        )
    return query


@bp.get("/users/<id:user_id>")
@allow(ADMIN)
def user(user_id: int) -> ResponseReturnValue:
    return account_page(db.get_or_404(User, user_id))


def account_page(account: User, form: RoleForm | None = None, reset_code: str | None = None) -> str:
    return render_template(
        "admin/user.html",
        account=account,
        locked=is_locked(account),
        form=form or RoleForm(formdata=None, role=account.role),
        buttons=EmptyForm(),
        reset_code=reset_code,
        reset_hours=current_app.config["PASSWORD_RESET_HOURS"],
    )


@bp.post("/users/<id:user_id>/role")
@allow(ADMIN)
def set_role(user_id: int) -> ResponseReturnValue:
    """Make the account a student, an instructor or an admin; its sessions end."""
    account = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return account_page(account, form), 422
    role, before = form.role.data, account.role
    if role != before and not confirmed():
        try:
            check_role_change(account, role)
        except AccountError as exc:
            form.role.errors.append(str(exc))
            return account_page(account, form), 422
        named = "yourself" if account.id == current_user.id else account.display_name
        return ask(
            Confirmation(
                title=f"Make {named} {article(role)} {role}?",
                happens=f"{account.display_name} ({account.username}) is logged out everywhere, and from "
                f"their next login may do what {article(role)} {role} does, no longer what "
                f"{article(before)} {before} does.",
                kept="Their account, password, classes, banks and every attempt and score.",
                button=f"Make {account.username} {article(role)} {role}",
                cancel=url_for("admin.user", user_id=account.id),
                carry={"role": role},
            )
        )
    try:
        change_role(account.username, role)
    except AccountError as exc:
        form.role.errors.append(str(exc))
        return account_page(account, form), 422
    named = f"{account.display_name} ({account.username})"
    if role == before:
        flash(f"{named} is {article(role)} {role} already.", "info")
    else:
        flash(f"{named} is now {article(role)} {role}, from their next login.", "success")
    if account.id == current_user.id and role != before:
        return redirect(url_for("quizzes.home"))  # this session just ended: the next page is the login
    return redirect(url_for("admin.user", user_id=account.id))


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


@bp.post("/users/<id:user_id>/unlock")
@allow(ADMIN)
def unlock_account(user_id: int) -> ResponseReturnValue:
    account = db.get_or_404(User, user_id)
    button_pressed()
    unlock(account.id)
    flash(f"{account.display_name} can log in again.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<id:user_id>/sessions/end")
@allow(ADMIN)
def end_account_sessions(user_id: int) -> ResponseReturnValue:
    account = db.get_or_404(User, user_id)
    button_pressed()
    if not confirmed():
        return ask(
            Confirmation(
                title=f"Log {account.display_name} out everywhere?",
                happens=f"Every session of {account.display_name} ({account.username}) ends now, on every "
                "device: they must log in again.",
                kept="Their account, their password, and every answer saved so far, even in a quiz in progress.",
                button="Log them out everywhere",
                cancel=url_for("admin.user", user_id=account.id),
            )
        )
    end_sessions(account.id)
    flash(f"{account.display_name} was logged out everywhere.", "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<id:user_id>/reset")
@allow(ADMIN)
def make_reset(user_id: int) -> ResponseReturnValue:
    """A one-time code for the account holder to set a new password with, shown once on this page."""
    account = db.get_or_404(User, user_id)
    if account.id == current_user.id:
        abort(403, "Change your own password on your account page, with your current one.")
    button_pressed()
    code = make_reset_code(account.id, made_by=current_user.id)
    return account_page(account, reset_code=code)


@bp.get("/settings")
@allow(ADMIN)
def settings() -> ResponseReturnValue:
    return settings_page(SiteSettingsForm(formdata=None, timezone=school_zone_name()))


def settings_page(form: SiteSettingsForm) -> str:
    return render_template(
        "admin/settings.html", form=form, seconds=current_app.config["SITE_SETTINGS_SECONDS"]
    )


@bp.post("/settings")
@allow(ADMIN)
def save_settings() -> ResponseReturnValue:
    """Change the school's time zone, on every host."""
    form = SiteSettingsForm()
    if not form.validate_on_submit():
        return settings_page(form), 422
    try:
        set_school_zone(form.timezone.data.strip())
    except SettingError as exc:
        form.timezone.errors.append(str(exc))
        return settings_page(form), 422
    flash(f"The school's time zone is now {form.timezone.data.strip()}, on every host.", "success")
    return redirect(url_for("admin.settings"))
