"""Instructor pages for the question banks: list, editor, question form, history, archive, who
may edit each bank (its access page), and banks in and out of other tools' formats.

Every POST has had its CSRF token checked (CSRFProtect, for the whole app) before a view runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SelectChoice

from quizapp.access import (
    BANK_EDITOR,
    BANK_OWNER,
    INSTRUCTOR,
    allow,
    bank_role,
    every_bank_members,
    may_assign_bank,
    may_edit_bank,
    practice_allowed,
)
from quizapp.accounts.operations import AccountError, account_named
from quizapp.bank_editor.forms import (
    ROLE_CHOICES,
    EditorForm,
    ImportForm,
    MemberForm,
    MemberRowForm,
    NewBankForm,
    PracticeForm,
    QuestionForm,
    RestoreForm,
)
from quizapp.bank_editor.operations import (
    BankFile,
    SaveConflict,
    SaveInvalid,
    archive,
    banks_folder,
    check_text,
    compare,
    conflict_diff,
    create_bank,
    latest_revision,
    open_bank,
    restore_revision,
    revision_of,
    revisions,
    save_bank,
    unarchive,
    validate_bank,
)
from quizapp.bank_editor.questionform import (
    EditError,
    apply_question,
    choice_rows,
    drawing_notes,
    form_values,
    listing_quizzes,
    picked_choices,
    question_mapping,
)
from quizapp.bank_editor.sharing import (
    SharingError,
    check_revoke,
    grant,
    members,
    revoke,
    set_practice,
)
from quizapp.bank_editor.transfer import (
    MAX_IMPORT_BYTES,
    ImportPlan,
    TransferRefused,
    decode_import,
    export_bank,
    export_file,
    import_format,
    plan_import,
    slug_for,
    write_import,
)
from quizapp.banks import Bank, Problem
from quizapp.banks.files import PathRefused, archived_banks
from quizapp.banks.loader import SLUG
from quizapp.downloads import no_store
from quizapp.extensions import bank_registry, rate_limit
from quizapp.forms import Confirmation, EmptyForm, ask, button_pressed, confirmed, whole_number
from quizapp.interchange import EXPORTERS, IMPORTERS
from quizapp.models import BankRevision, User
from quizapp.questions import QUESTION_TYPES, Question

bp = Blueprint("bank_editor", __name__, url_prefix="/teach/banks", template_folder="templates")


@bp.url_value_preprocessor
def refuse_bad_slugs(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A bank name that is not a slug ("..", "a/b", a NUL) is no bank: 404 before anything reads it."""
    if values and "slug" in values and not SLUG.fullmatch(values["slug"]):
        abort(404)


def opened(slug: str) -> BankFile:
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
def index() -> ResponseReturnValue:
    return index_page()


def index_page(new_form: NewBankForm | None = None) -> str:
    """The banks the user edits, with their actions; apart, the site banks they may only set; and
    the archived banks they may bring back. Other instructors' banks are not listed."""
    everyone = every_bank_members()
    entries = bank_registry().entries()
    editing = [e for e in entries if may_edit_bank(current_user, e.slug, everyone.get(e.slug, {}))]
    setting = [
        e
        for e in entries
        if e not in editing and may_assign_bank(current_user, e.slug, everyone.get(e.slug, {}))
    ]
    archived = [
        (slug, path)
        for slug, path in archived_banks(banks_folder())
        if may_edit_bank(current_user, slug, everyone.get(slug, {}))
    ]
    return render_template(
        "bank_editor/banks.html",
        editing=editing,
        setting=setting,
        roles={e.slug: bank_role(current_user, e.slug, everyone.get(e.slug, {})) for e in editing},
        site_banks={e.slug for e in entries if e.slug not in everyone},
        latest={e.slug: latest_revision(e.slug) for e in editing + setting},
        archived=archived,
        new_form=new_form or NewBankForm(),
        buttons=EmptyForm(),
    )


@bp.post("/")
@allow(INSTRUCTOR)
@rate_limit("BANK_SAVE_RATE_LIMIT")
def new() -> ResponseReturnValue:
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
            return redirect(url_for("bank_editor.edit", slug=form.slug.data))
    return index_page(form), 422


@bp.get("/<slug>/edit")
@allow(BANK_EDITOR)
def edit(slug: str) -> ResponseReturnValue:
    bank_file = opened(slug)
    form = EditorForm(data={"text": bank_file.text, "base": bank_file.sha256, "disk": bank_file.disk_sha256})
    return render_editor(slug, form, problems=check_text(slug, bank_file.text))


@bp.post("/<slug>/edit")
@allow(BANK_EDITOR)
@rate_limit("BANK_SAVE_RATE_LIMIT")
def submit_editor(slug: str) -> ResponseReturnValue:
    opened(slug)
    form = EditorForm()
    if not form.validate_on_submit():
        flash(" ".join(form.text.errors) or "The form was not accepted; try again.", "error")
        return render_editor(slug, form, problems=[]), 422
    text = form.text.data.replace("\r\n", "\n")
    if form.action.data == "save":
        return save_editor(slug, form, text)
    try:
        bank = validate_bank(slug, text)
    except SaveInvalid as exc:
        return render_editor(slug, form, problems=exc.problems), 422
    if form.action.data == "preview":
        return render_editor(slug, form, problems=list(bank.warnings), preview=bank)
    count = len(bank.warnings)
    found = f"; {count} warning{'s' if count > 1 else ''} below" if count else ""
    flash(f"No problems found{found}.", "success")
    return render_editor(slug, form, problems=list(bank.warnings))


def save_editor(slug: str, form: EditorForm, text: str) -> ResponseReturnValue:
    """The editor's "Save": the bank's next version, or the text back with why it was not saved."""
    try:
        save_bank(slug, text, form.base.data, current_user, disk_sha256=form.disk.data or None)
    except SaveInvalid as exc:
        flash("Not saved: the bank has problems. Your text is below, unchanged.", "error")
        return render_editor(slug, form, problems=exc.problems), 422
    except SaveConflict as exc:
        return render_conflict(slug, text, exc.current_text, form.disk.data), 409
    flash("Saved.", "success")
    return redirect(url_for("bank_editor.edit", slug=slug))


def render_editor(slug: str, form: EditorForm, problems: list[Problem], preview: Bank | None = None) -> str:
    """The editor; ``problems`` may hold the answer-leak lint's warnings, listed and marked apart."""
    return render_template(
        "bank_editor/editor.html",
        slug=slug,
        owner=bank_role(current_user, slug) == "owner",
        form=form,
        problems=[p for p in problems if p.severity != "warning"],
        warnings=[p for p in problems if p.severity == "warning"],
        problem_lines=[{"line": p.line, "message": p.message, "severity": p.severity} for p in problems],
        preview=preview,
    )


def render_conflict(slug: str, text: str, current_text: str | None, disk: str | None = None) -> str:
    """Their text, editable and now based on the latest version, beside how that differs."""
    bank_file = open_bank(slug)
    base = bank_file.sha256 if bank_file else ""
    form = EditorForm(formdata=None, data={"text": text, "base": base, "disk": disk})
    diff = conflict_diff(current_text, text)
    return render_template(
        "bank_editor/conflict.html", slug=slug, form=form, diff=diff, current=current_text or ""
    )


@bp.route("/<slug>/questions/new", methods=["GET", "POST"])
@bp.route("/<slug>/questions/<question_id>/edit", methods=["GET", "POST"])
@allow(BANK_EDITOR)
@rate_limit("BANK_SAVE_RATE_LIMIT")
def question(slug: str, question_id: str | None = None) -> ResponseReturnValue:
    bank_file = opened(slug)
    bank = bank_registry().get(slug)
    existing = bank.questions.get(question_id) if bank and question_id else None
    if question_id and existing is None:
        abort(404)
    qtype = existing.type if existing else request.values.get("type", "single")
    if qtype not in QUESTION_TYPES:
        abort(404)
    if request.method == "GET":
        values = form_values(existing) if existing else {}
        listed = listing_quizzes(bank, existing.id) if existing else []
        form = QuestionForm(
            data={**values, **choice_rows(values), "quizzes": listed, "base": bank_file.sha256}
        )
        return render_question(slug, qtype, form, existing, bank)
    form = QuestionForm()
    form.quizzes.choices = quiz_choices(bank)
    if existing:
        form.id.data = existing.id  # ids are stable: scores and cards refer to them
    if form.add_rows.data:
        for _ in range(ADDED_ROWS):
            form.choice_rows.append_entry()
        return render_question(slug, qtype, form, existing, bank)
    if not form.validate_on_submit():
        own = QUESTION_TYPES[qtype].form_fields
        shown = {"id", "prompt", "points", "explanation", "source", "tags", "quizzes", *own}
        form.form_errors.extend(
            f"{name}: {e}" for name, errs in form.errors.items() if name not in shown for e in errs
        )
        return render_question(slug, qtype, form, existing, bank), 422
    try:
        values = {**form.data, **typed_choices(qtype, form)}
        listed_in = form.quizzes.data if bank else None
        text = apply_question(bank_file.text, question_mapping(qtype, values), question_id, listed_in)
        save_bank(slug, text, form.base.data, current_user, "question", bank_file.disk_sha256)
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
        flash(f"Question '{form.id.data}' saved.", "success")
        return redirect(url_for("bank_editor.edit", slug=slug))
    return render_question(slug, qtype, form, existing, bank), 422


def typed_choices(qtype: str, form: QuestionForm) -> dict[str, str]:
    """A choice type's ``choices`` and ``answer`` from the rows typed and ticked (none for another
    type); an EditError, also shown beside the rows, for ticks that do not fit."""
    kind = QUESTION_TYPES[qtype]
    if "choices" not in kind.form_fields:
        return {}
    try:
        return picked_choices(
            form.choice_rows.data, form.right.data or [], getattr(kind, "several_right", False)
        )
    except EditError as exc:
        form.right.errors = [*form.right.errors, str(exc)]
        raise


#: Empty choice rows the "More choice rows" button adds.
ADDED_ROWS = 3


def quiz_choices(bank: Bank | None) -> list[SelectChoice]:
    """The quizzes the question form offers to list a question in: those listing their questions."""
    return (
        [SelectChoice(quiz_id, bank.quizzes[quiz_id].title) for quiz_id in listing_quizzes(bank)]
        if bank
        else []
    )


def render_question(
    slug: str, qtype: str, form: QuestionForm, existing: Question | None, bank: Bank | None
) -> str:
    kind = QUESTION_TYPES[qtype]
    form.answer.description = kind.answer_help
    form.quizzes.choices = quiz_choices(bank)
    tags = [t.strip() for t in (form.tags.data or "").split(",") if t.strip()]
    return render_template(
        "bank_editor/question.html",
        slug=slug,
        qtype=qtype,
        kind=kind,
        form=form,
        existing=existing,
        fields=kind.form_fields,
        types=type_labels(),
        drawing=drawing_notes(bank, tags),
    )


@bp.get("/<slug>/history")
@allow(BANK_EDITOR)
def history(slug: str) -> ResponseReturnValue:
    versions = revisions(slug)
    try:
        current = open_bank(slug)
    except PathRefused:
        abort(404)
    if not versions and current is None:
        abort(404)
    newer = _revision(slug, request.args.get("new", type=whole_number)) if "new" in request.args else None
    older = _revision(slug, request.args.get("old", type=whole_number)) if "old" in request.args else None
    comparison = compare(versions, newer, older)
    current_sha = current.sha256 if current else ""
    return render_template(
        "bank_editor/history.html",
        slug=slug,
        versions=versions,
        older=comparison.older,
        newer=comparison.newer,
        diff=comparison.diff,
        current_sha=current_sha,
        restore_form=RestoreForm(formdata=None, base=current_sha),
    )


def _revision(slug: str, revision_id: int | None) -> BankRevision:
    """A version of the bank in the URL; 404 for any other."""
    revision = revision_of(slug, revision_id)
    if revision is None:
        abort(404)
    return revision


@bp.post("/<slug>/history/<id:revision_id>/restore")
@allow(BANK_EDITOR)
def restore(slug: str, revision_id: int) -> ResponseReturnValue:
    revision = _revision(slug, revision_id)
    form = RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    if not confirmed():
        return ask(restoring(slug, revision, form.base.data or ""))
    try:
        restore_revision(revision, form.base.data or None, current_user)
    except SaveInvalid as exc:
        flash(
            f"Version #{revision.id} does not validate any more, so it was not restored: "
            + "; ".join(str(p) for p in exc.problems[:3]),
            "error",
        )
        return redirect(url_for("bank_editor.history", slug=slug))
    except SaveConflict as exc:
        return render_conflict(slug, revision.text, exc.current_text), 409
    except PathRefused:
        abort(404)
    flash(f"Version #{revision.id} restored as a new version.", "success")
    return redirect(url_for("bank_editor.history", slug=slug))


@bp.post("/<slug>/archive")
@allow(BANK_EDITOR)
def archive_view(slug: str) -> ResponseReturnValue:
    opened(slug)
    button_pressed()
    if not confirmed():
        return ask(archiving(slug))
    archive(slug, current_user)
    flash(f"Bank '{slug}' archived: students no longer see it. Restore it from the list below.", "success")
    return redirect(url_for("bank_editor.index"))


def restoring(slug: str, revision: BankRevision, base: str) -> Confirmation:
    """What restoring an older version does, to ask first (posting the page's ``base`` again)."""
    return Confirmation(
        title=f"Restore version #{revision.id} of {slug}.yaml?",
        happens=f"Version #{revision.id} becomes the bank's newest version: students and every host "
        "get its questions and quizzes in place of the current ones.",
        kept="The current version stays in the history, and can be restored the same way. Attempts "
        "already made keep the questions they showed.",
        button=f"Restore version #{revision.id}",
        cancel=url_for("bank_editor.history", slug=slug),
        carry={"base": base},
    )


def archiving(slug: str) -> Confirmation:
    """What archiving a bank does, to ask first."""
    bank = bank_registry().get(slug)
    return Confirmation(
        title=f"Archive the bank {bank.title if bank else slug} ({slug}.yaml)?",
        happens="Students no longer see its quizzes or study its cards, on every host, and no one can "
        "start its quizzes, even where a class sets them.",
        kept="Every attempt and score, and every version of the file: classes, results and gradebooks "
        "show its quizzes by name, marked archived. Restore it from the Archived list of the banks "
        "page whenever you like.",
        button=f"Archive {slug}",
        cancel=url_for("bank_editor.index"),
    )


@bp.post("/archive/<name>/restore")
@allow(INSTRUCTOR)
def unarchive_view(name: str) -> ResponseReturnValue:
    # The bank is named by its archived file, not by a slug in the URL: the same check, here.
    if not may_edit_bank(current_user, name.split(".", 1)[0]):
        abort(404)
    button_pressed()
    try:
        slug = unarchive(name, current_user)
    except PathRefused:
        abort(404)
    except SaveConflict:
        flash(
            f"A bank called '{Path(name).name.split('.', 1)[0]}' exists already; archive or rename it first.",
            "error",
        )
        return redirect(url_for("bank_editor.index"))
    flash(f"Bank '{slug}' restored.", "success")
    return redirect(url_for("bank_editor.index"))


# --- who may edit the bank ------------------------------------------------------------------------


@bp.get("/<slug>/access")
@allow(BANK_OWNER)
def access(slug: str) -> ResponseReturnValue:
    opened(slug)
    return access_page(slug)


def access_page(slug: str, member_form: MemberForm | None = None) -> str:
    """The bank's owners and editors, each with their role to change and a button to remove them;
    a form to add an instructor; the practice setting."""
    everyone = members(slug)
    return render_template(
        "bank_editor/access.html",
        slug=slug,
        members=everyone,
        rows={m.user.username: MemberRowForm(formdata=None, username=m.user.username) for m in everyone},
        roles=ROLE_CHOICES,
        member_form=member_form or MemberForm(),
        practice_form=PracticeForm(formdata=None, data={"practice": practice_allowed(slug)}),
    )


@bp.post("/<slug>/access")
@allow(BANK_OWNER)
def add_member(slug: str) -> ResponseReturnValue:
    """Add an instructor as an owner or editor, or give a member the other role."""
    opened(slug)
    form = MemberForm()
    if not form.validate_on_submit():
        return access_page(slug, form), 422
    try:
        user = account_named(form.username.data)
        done = grant(slug, user, form.role.data, current_user)
    except (AccountError, SharingError) as exc:
        form.username.errors.append(str(exc))
        return access_page(slug, form), 422
    already = " already" if done == "unchanged" else " now"
    flash(f"{user.display_name} is{already} an {form.role.data} of {slug}.", "success")
    return after_change(slug)


@bp.post("/<slug>/access/remove")
@allow(BANK_OWNER)
def remove_member(slug: str) -> ResponseReturnValue:
    opened(slug)
    form = MemberRowForm()
    if not form.validate_on_submit():
        flash("Choose whom to remove.", "error")
        return access_page(slug), 422
    try:
        user = account_named(form.username.data)
        if not confirmed():
            check_revoke(slug, user)
            return ask(member_removal(slug, user))
        revoke(slug, user)
    except (AccountError, SharingError) as exc:
        flash(str(exc), "error")
        return access_page(slug), 422
    flash(f"{user.display_name} no longer owns or edits {slug}.", "success")
    return after_change(slug)


def member_removal(slug: str, user: User) -> Confirmation:
    """What removing ``user`` from the bank's owners and editors does, to ask first."""
    yourself = user.id == current_user.id
    return Confirmation(
        title=f"Remove {'yourself' if yourself else user.display_name} from {slug}.yaml?",
        happens=f"{'You' if yourself else user.display_name} will no longer edit this bank or see its "
        "history, share it, or set and regrade its quizzes for a class.",
        kept="The bank and its versions; the quizzes already set from it, with their attempts and scores.",
        button=f"Remove {user.username}",
        cancel=url_for("bank_editor.access", slug=slug),
        carry={"username": user.username},
    )


@bp.post("/<slug>/access/practice")
@allow(BANK_OWNER)
def practice(slug: str) -> ResponseReturnValue:
    opened(slug)
    form = PracticeForm()
    if not form.validate_on_submit():
        flash("The form was not accepted; try again.", "error")
        return access_page(slug), 422
    set_practice(slug, form.practice.data)
    if form.practice.data:
        flash("Students may take this bank's quizzes as practice and study its cards.", "success")
    else:
        flash(
            "Students take this bank's quizzes only where a class sets them, and study none of its cards.",
            "success",
        )
    return redirect(url_for("bank_editor.access", slug=slug))


def after_change(slug: str) -> ResponseReturnValue:
    """Back to the access page; or, for an owner who just gave up owning the bank, where they still may go."""
    role = bank_role(current_user, slug)
    if role == "owner":
        return redirect(url_for("bank_editor.access", slug=slug))
    return redirect(url_for("bank_editor.edit", slug=slug) if role else url_for("bank_editor.index"))


# --- other tools' formats: import and download ---------------------------------------------------


def editable_banks() -> list[str]:
    """The slugs of the served banks the user may edit: the only ones an import may add to."""
    everyone = every_bank_members()
    return [
        e.slug
        for e in bank_registry().entries()
        if e.bank is not None and may_edit_bank(current_user, e.slug, everyone.get(e.slug, {}))
    ]


def type_labels() -> dict[str, str]:
    """Each question type's name as people read it ("True / false"), by its bank name."""
    return {name: kind.label or name for name, kind in QUESTION_TYPES.items()}


def import_page(form: ImportForm, plan: ImportPlan | None = None) -> str:
    """The import form; with ``plan``, the preview of what it would write and the button that does."""
    form.format.choices = [SelectChoice("", "Guess from the file"), *(SelectChoice(f, f) for f in IMPORTERS)]
    form.into.choices = [SelectChoice("", "A new bank"), *(SelectChoice(s, s) for s in editable_banks())]
    return render_template("bank_editor/import.html", form=form, plan=plan, types=type_labels())


@bp.get("/import")
@allow(INSTRUCTOR)
def import_form() -> ResponseReturnValue:
    return import_page(ImportForm(formdata=None))


@bp.post("/import")
@allow(INSTRUCTOR)
@rate_limit("BANK_SAVE_RATE_LIMIT")
def import_upload() -> ResponseReturnValue:
    """Preview an uploaded file as a new bank or an addition to one (nothing written); with
    "confirm", the same plan saved through the editor's save."""
    form = ImportForm()
    if not form.validate_on_submit():
        return import_page(form), 422
    into = form.into.data or ""
    if into and not may_edit_bank(current_user, into):
        abort(404)
    try:
        source, filename = uploaded(form)
        # A new bank is named as the file is, unless named here (as `quizapp banks import` does).
        slug = into or form.slug.data or slug_for(filename)
        fmt = import_format(filename, source, form.format.data or None)
        plan = plan_import(source, fmt, slug, form.title.data or "", appending=bool(into), origin=filename)
    except TransferRefused as exc:
        form.file.errors.append(str(exc))
        return import_page(form), 422
    form.source.data, form.filename.data, form.format.data = source, filename, fmt
    if not plan.writable:
        return import_page(form, plan), 422
    if form.action.data != "confirm":
        return import_page(form, plan)
    try:
        write_import(plan, current_user)
    except SaveConflict:
        flash(
            f"Nothing was written: {slug} was created or changed since the preview. Check it, then import again.",
            "error",
        )
        return import_page(form, plan), 409
    except SaveInvalid as exc:
        plan.bank_problems.extend(str(p.message) for p in exc.problems)
        return import_page(form, plan), 422
    count = len(plan.imported.questions) + len(plan.imported.cards)
    flash(f"Imported {count} item{'' if count == 1 else 's'} from {filename} into {slug}.", "success")
    return redirect(url_for("bank_editor.edit", slug=slug))


def uploaded(form: ImportForm) -> tuple[str, str]:
    """The text and name of the file: uploaded now, or carried by the preview's confirm button."""
    if form.action.data == "confirm":
        return form.source.data or "", form.filename.data or ""
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        raise TransferRefused("Choose a file to import.")
    try:
        return decode_import(storage.filename, storage.read(), MAX_IMPORT_BYTES), storage.filename
    finally:
        storage.close()  # a large upload is spooled to a temporary file


@bp.get("/<slug>/export")
@allow(BANK_EDITOR)
def export_page(slug: str) -> ResponseReturnValue:
    """Each registered format the bank can be downloaded in, with what that format loses."""
    bank = bank_registry().get(slug)
    if bank is None:
        abort(404)
    exports = {fmt: export_bank(bank, fmt) for fmt in EXPORTERS}
    return render_template("bank_editor/export.html", slug=slug, bank=bank, exports=exports)


@bp.get("/<slug>/export/<bank_format>")
@allow(BANK_EDITOR)
def download_bank(slug: str, bank_format: str) -> ResponseReturnValue:
    bank = bank_registry().get(slug)
    if bank is None or bank_format not in EXPORTERS:
        abort(404)
    exported = export_bank(bank, bank_format)
    filename, mimetype = export_file(slug, bank_format)
    binary = exported.data is not None  # a package (QTI's zip), not text
    response = no_store(
        Response(
            exported.data if binary else exported.text,
            content_type=mimetype if binary else f"{mimetype}; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                # What the format could not carry, counted (the export page lists it).
                "X-Quizapp-Losses": str(len(exported.losses)),
            },
        )
    )
    return response
