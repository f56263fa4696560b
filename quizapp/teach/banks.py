"""Instructor pages for the question banks: list, editor, question form, history, archive.

Every POST has had its CSRF token checked (CSRFProtect, for the whole app) before a view runs.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from quizapp.access import INSTRUCTOR, allow
from quizapp.banks import Bank, BankError, parse_bank
from quizapp.banks.files import PathRefused, archived_banks
from quizapp.banks.loader import SLUG
from quizapp.editing import (
    SaveConflict,
    SaveInvalid,
    archive,
    banks_folder,
    check_text,
    create_bank,
    latest_revision,
    open_bank,
    restore_revision,
    revisions,
    save_bank,
    unarchive,
)
from quizapp.extensions import bank_registry, db
from quizapp.models import BankRevision
from quizapp.questionform import TYPE_FIELDS, EditError, apply_question, form_values, question_mapping
from quizapp.questions import QUESTION_TYPES
from quizapp.teach.forms import ANSWER_HELP, EditorForm, NewBankForm, QuestionForm

bp = Blueprint("banks", __name__, url_prefix="/teach/banks")


@bp.url_value_preprocessor
def refuse_bad_slugs(endpoint: str | None, values: dict | None) -> None:
    """A bank name that is not a slug ("..", "a/b", a NUL) is no bank: 404 before anything reads it."""
    if values and "slug" in values and not SLUG.fullmatch(values["slug"]):
        abort(404)


def opened(slug: str):
    """The bank file ``slug`` for editing; 404 for a missing file or a name that leads elsewhere."""
    try:
        bank_file = open_bank(slug)
    except PathRefused:
        abort(404)
    if bank_file is None:
        abort(404)
    return bank_file


@bp.get("/")
@allow(INSTRUCTOR)
def index():
    return index_page()


def index_page(new_form: NewBankForm | None = None) -> str:
    entries = bank_registry().entries()
    latest = {e.slug: latest_revision(e.slug) for e in entries}
    return render_template(
        "teach/banks.html",
        entries=entries,
        latest=latest,
        archived=archived_banks(banks_folder()),
        new_form=new_form or NewBankForm(),
    )


@bp.post("/")
@allow(INSTRUCTOR)
def new():
    form = NewBankForm()
    if form.validate_on_submit():
        try:
            create_bank(form.slug.data, form.title.data, current_user)
        except (SaveConflict, PathRefused):
            form.slug.errors.append("A bank with that name exists already. Choose another.")
        except SaveInvalid as exc:
            form.title.errors.append(f"This title cannot be used: {exc.problems[0].message}.")
        else:
            flash("Bank created from the template. Replace the example question with your own.", "success")
            return redirect(url_for("banks.edit", slug=form.slug.data))
    return index_page(form), 422


@bp.get("/<slug>/edit")
@allow(INSTRUCTOR)
def edit(slug: str):
    bank_file = opened(slug)
    form = EditorForm(data={"text": bank_file.text, "base": bank_file.sha256})
    return render_editor(slug, form, problems=check_text(slug, bank_file.text))


@bp.post("/<slug>/edit")
@allow(INSTRUCTOR)
def submit_editor(slug: str):
    opened(slug)
    form = EditorForm()
    if not form.validate_on_submit():
        flash(" ".join(form.text.errors) or "The form was not accepted; try again.", "error")
        return render_editor(slug, form, problems=[]), 422
    text = form.text.data.replace("\r\n", "\n")
    action = request.form.get("action", "validate")
    if action == "save":
        try:
            save_bank(slug, text, form.base.data, current_user)
        except SaveInvalid as exc:
            flash("Not saved: the bank has problems. Your text is below, unchanged.", "error")
            return render_editor(slug, form, problems=exc.problems), 422
        except SaveConflict as exc:
            return render_conflict(slug, text, exc.current_text), 409
        flash("Saved.", "success")
        return redirect(url_for("banks.edit", slug=slug))
    try:
        bank, problems = parse_bank(text.encode("utf-8"), f"{slug}.yaml", slug), []
    except BankError as exc:
        bank, problems = None, exc.problems
    if problems:
        return render_editor(slug, form, problems=problems), 422
    if action != "preview":
        flash("No problems found.", "success")
    return render_editor(slug, form, problems=[], preview=bank if action == "preview" else None)


def render_editor(slug: str, form: EditorForm, problems: list, preview: Bank | None = None) -> str:
    return render_template(
        "teach/editor.html",
        slug=slug,
        form=form,
        problems=problems,
        problem_lines=[{"line": p.line, "message": p.message} for p in problems],
        preview=preview,
    )


def render_conflict(slug: str, text: str, current_text: str | None) -> str:
    """Their text, editable and now based on the current file, beside how the file differs."""
    current = current_text or ""
    bank_file = open_bank(slug)
    form = EditorForm(formdata=None, data={"text": text, "base": bank_file.sha256 if bank_file else ""})
    diff = difflib.unified_diff(
        current.splitlines(), text.splitlines(), "the file now", "your text", lineterm="", n=3
    )
    return render_template("teach/conflict.html", slug=slug, form=form, diff=list(diff), current=current)


@bp.route("/<slug>/questions/new", methods=["GET", "POST"])
@bp.route("/<slug>/questions/<question_id>/edit", methods=["GET", "POST"])
@allow(INSTRUCTOR)
def question(slug: str, question_id: str | None = None):
    bank_file = opened(slug)
    bank = bank_registry().get(slug)
    existing = bank.questions.get(question_id) if bank and question_id else None
    if question_id and existing is None:
        abort(404)
    qtype = existing.type if existing else request.values.get("type", "single")
    if qtype not in QUESTION_TYPES:
        abort(404)
    if request.method == "GET":
        form = QuestionForm(data={**(form_values(existing) if existing else {}), "base": bank_file.sha256})
        return render_question(slug, qtype, form, existing)
    form = QuestionForm()
    if existing:
        form.id.data = existing.id  # ids are stable: scores and cards refer to them
    if not form.validate_on_submit():
        shown = {"id", "prompt", "points", "explanation", "source", "tags", *TYPE_FIELDS[qtype]}
        form.form_errors.extend(
            f"{name}: {e}" for name, errs in form.errors.items() if name not in shown for e in errs
        )
        return render_question(slug, qtype, form, existing), 422
    values = MultiDict(request.form)
    values["id"] = form.id.data
    try:
        text = apply_question(bank_file.text, question_mapping(qtype, values), question_id)
        save_bank(slug, text, form.base.data, current_user, action="question")
    except EditError as exc:
        form.form_errors.append(str(exc))
    except SaveInvalid as exc:
        form.form_errors.extend(str(p.message) for p in exc.problems)
    except SaveConflict:
        form.form_errors.append(
            "The bank changed since you opened this form; nothing was saved. "
            "Reload the form to edit the current version (copy your text first)."
        )
    else:
        flash(f"Question '{values['id']}' saved.", "success")
        return redirect(url_for("banks.edit", slug=slug))
    return render_question(slug, qtype, form, existing), 422


def render_question(slug: str, qtype: str, form: QuestionForm, existing) -> str:
    form.answer.description = ANSWER_HELP.get(qtype, "")
    return render_template(
        "teach/question.html",
        slug=slug,
        qtype=qtype,
        form=form,
        existing=existing,
        fields=TYPE_FIELDS[qtype],
        types=list(QUESTION_TYPES),
    )


@bp.get("/<slug>/history")
@allow(INSTRUCTOR)
def history(slug: str):
    versions = revisions(slug)
    try:
        current = open_bank(slug)
    except PathRefused:
        abort(404)
    if not versions and current is None:
        abort(404)
    newer = _revision(slug, request.args.get("new", type=int)) if "new" in request.args else None
    older = _revision(slug, request.args.get("old", type=int)) if "old" in request.args else None
    if newer is None and versions:
        newer = versions[0]
    if older is None and len(versions) > 1:
        older = next((v for v in versions if v.id < newer.id), None)
    diff = []
    if older and newer:
        diff = list(
            difflib.unified_diff(
                older.text.splitlines(), newer.text.splitlines(), f"#{older.id}", f"#{newer.id}", lineterm=""
            )
        )
    return render_template(
        "teach/history.html",
        slug=slug,
        versions=versions,
        older=older,
        newer=newer,
        diff=diff,
        current_sha=current.sha256 if current else "",
    )


def _revision(slug: str, revision_id: int | None) -> BankRevision:
    revision = db.session.get(BankRevision, revision_id) if revision_id else None
    if revision is None or revision.bank_slug != slug:
        abort(404)
    return revision


@bp.post("/<slug>/history/<id:revision_id>/restore")
@allow(INSTRUCTOR)
def restore(slug: str, revision_id: int):
    revision = _revision(slug, revision_id)
    try:
        restore_revision(revision, request.form.get("base") or None, current_user)
    except SaveInvalid as exc:
        flash(
            f"Version #{revision.id} does not validate any more, so it was not restored: "
            + "; ".join(str(p) for p in exc.problems[:3]),
            "error",
        )
        return redirect(url_for("banks.history", slug=slug))
    except SaveConflict as exc:
        return render_conflict(slug, revision.text, exc.current_text), 409
    except PathRefused:
        abort(404)
    flash(f"Version #{revision.id} restored as a new version.", "success")
    return redirect(url_for("banks.history", slug=slug))


@bp.post("/<slug>/archive")
@allow(INSTRUCTOR)
def archive_view(slug: str):
    opened(slug)
    archive(slug, current_user)
    flash(f"Bank '{slug}' archived: students no longer see it. Restore it from the list below.", "success")
    return redirect(url_for("banks.index"))


@bp.post("/archive/<name>/restore")
@allow(INSTRUCTOR)
def unarchive_view(name: str):
    try:
        slug = unarchive(name, current_user)
    except PathRefused:
        abort(404)
    except SaveConflict:
        flash(
            f"A bank called '{Path(name).name.split('.', 1)[0]}' exists already; archive or rename it first.",
            "error",
        )
        return redirect(url_for("banks.index"))
    flash(f"Bank '{slug}' restored.", "success")
    return redirect(url_for("banks.index"))
