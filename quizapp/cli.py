"""The ``quizapp`` command: the Flask CLI bound to this app, plus quizapp's own commands."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from quizapp.accounts.operations import (
    FORMULA_STARTS,
    AccountError,
    account_named,
    change_role,
    create_account,
    formula_like_usernames,
    set_email,
    set_password,
    unlock,
)
from quizapp.backup import backup_sqlite
from quizapp.bank_editor.operations import SaveConflict, SaveInvalid, banks_folder, open_bank
from quizapp.bank_editor.sharing import SharingError, grant, revoke
from quizapp.bank_editor.transfer import (
    TransferRefused,
    decode_import,
    export_bank,
    import_format,
    plan_import,
    saved_bank,
    slug_for,
    write_import,
)
from quizapp.banks import BankError, load_bank
from quizapp.banks.files import PathRefused, archived_banks
from quizapp.banks.loader import display_path
from quizapp.classrooms.operations import normalize_code
from quizapp.extensions import bank_registry, db
from quizapp.grades import reports
from quizapp.grades.exports import (
    EXPORTERS,
    Table,
    moodle_items_to_create,
    moodle_quiz,
    moodle_table,
    responses_table,
    write_csv,
)
from quizapp.interchange import EXTENSIONS
from quizapp.models import BANK_ROLES, ROLES, Classroom
from quizapp.quizzes.operations import close_overdue
from quizapp.site_settings import SettingError, school_zone_name, set_school_zone


def _create_app() -> Flask:
    from quizapp import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app, help="Run and administer quizapp (the Flask CLI, bound to quizapp)."
)


@click.group("banks")
def banks_cli() -> None:
    """Work with the question banks."""


@banks_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Count warnings as problems: exit 1 if there is any.")
@with_appcontext
def validate(paths: tuple[Path, ...], strict: bool) -> None:
    """Check bank files (default: every bank in the banks folder; a folder: its banks) and report
    every problem as path:line: message, then the answer-leak lint's findings as path:line:
    warning: message. Exits 1 if any bank has a problem (or, with --strict, a warning)."""
    files = [
        found
        for path in paths or (Path(current_app.config["BANKS_DIR"]),)
        for found in (sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    ]
    if not files:
        click.echo(
            f"no banks found in {', '.join(map(str, paths)) or current_app.config['BANKS_DIR']}", err=True
        )
        sys.exit(1)
    broken = warned = 0
    for path in files:
        try:
            bank = load_bank(path, display=display_path(path))
        except BankError as exc:
            broken += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        for warning in bank.warnings:
            click.echo(str(warning))
        warned += bool(bank.warnings)
        found = (
            f", {len(bank.warnings)} warning{'' if len(bank.warnings) == 1 else 's'}" if bank.warnings else ""
        )
        click.echo(
            f"{display_path(path)}: ok ({len(bank.questions)} questions, {len(bank.quizzes)} quizzes{found})"
        )
    failed = broken + warned if strict else broken
    summary = f"{len(files)} bank(s) checked, {broken} with problems"
    if warned:
        summary += f", {warned} with warnings{' (--strict: they count as problems)' if strict else ''}"
    click.echo(summary)
    sys.exit(1 if failed else 0)


def _bank_slug(slug: str) -> str:
    """A bank's slug, if there is such a bank in the banks folder or its archive."""
    try:
        found = open_bank(slug) is not None
    except PathRefused as exc:
        raise click.ClickException(str(exc)) from exc
    if not found and all(name != slug for name, _ in archived_banks(banks_folder())):
        raise click.ClickException(f"no bank '{slug}' in {banks_folder()} or its archive")
    return slug


#: The formats ``banks import`` and ``banks export`` name (docs/interchange.md).
IMPORT_FORMATS = ("gift", "moodle-xml", "aiken", "qti", "quizlet", "anki-txt")
EXPORT_FORMATS = ("gift", "moodle-xml", "qti", "aiken")


def _refused(problems: Iterable[object], message: str, origin: str = "") -> NoReturn:
    """Print every problem of a refused import or export, then stop with its message."""
    for problem in problems:
        click.echo(f"{origin}:{problem}" if origin and str(problem).startswith("line ") else str(problem))
    raise click.ClickException(message)


@banks_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), help="Default: guessed from the file.")
@click.option("--into", metavar="SLUG", help="Add to this existing bank instead of making a new one.")
@with_appcontext
def import_command(file: Path, fmt: str | None, into: str | None) -> None:
    """Import FILE (GIFT, Moodle XML, Aiken, QTI 1.2, Quizlet or Anki text) as a new bank named
    after it (questions/<slug>.yaml), or with --into, at the end of an existing bank, saved as a
    revision like an edit. Problems are printed by input line and nothing is written; what the
    bank cannot hold is printed by question id."""
    try:
        source = decode_import(file.name, file.read_bytes())
        found = import_format(file.name, source, fmt)
        plan = plan_import(source, found, into or slug_for(file.name), "", into is not None, file.name)
    except TransferRefused as exc:
        _refused(exc.problems, str(exc))
    imported = plan.imported
    for loss in imported.losses:
        click.echo(f"lost: {loss}")
    if not plan.writable:
        _refused(plan.problems, f"{file.name} has problems: nothing was imported", file.name)
    try:
        write_import(plan, None)
    except SaveConflict:
        raise click.ClickException(
            f"the bank '{plan.slug}' changed meanwhile: nothing was saved; try again"
        ) from None
    except SaveInvalid as exc:
        _refused(exc.problems, "the imported bank would not validate: nothing was saved")
    count = f"{len(imported.questions)} questions and {len(imported.cards)} cards"
    where = "the end of the bank" if plan.appending else "a new bank"
    click.echo(f"imported {count} from {file.name} ({found}) into {where} '{plan.slug}'")


@banks_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option(
    "-o", "--output", help="File to write (default: SLUG and the format's extension; - for standard output)."
)
@with_appcontext
def export_command(slug: str, fmt: str, output: str | None) -> None:
    """Write bank SLUG in another tool's format (default file: beside the name, csto-2022.gift)
    and list, by question id, everything the format cannot carry."""
    try:
        exported = export_bank(saved_bank(slug), fmt)
    except TransferRefused as exc:
        _refused(exc.problems, str(exc))
    for loss in exported.losses:
        click.echo(f"lost: {loss}", err=True)
    target = output or f"{slug}{EXTENSIONS.get(fmt, '.txt')}"
    _write([exported.data if exported.data is not None else exported.text.encode("utf-8")], target)


@banks_cli.command("grant")
@click.argument("slug")
@click.argument("username")
@click.option("--as", "role", type=click.Choice(BANK_ROLES), required=True, help="The role to give.")
@with_appcontext
def grant_command(slug: str, username: str, role: str) -> None:
    """Make the instructor USERNAME an owner or editor of bank SLUG (or give them the other role).
    Editors edit the bank and set its quizzes; owners also share it. Admins need no grant."""
    try:
        user = account_named(username)
        done = grant(_bank_slug(slug), user, role, granted_by=None)
    except (AccountError, SharingError) as exc:
        raise click.ClickException(str(exc)) from exc
    already = " already" if done == "unchanged" else " now"
    click.echo(f"'{user.username}' is{already} an {role} of {slug}")


@banks_cli.command("revoke")
@click.argument("slug")
@click.argument("username")
@with_appcontext
def revoke_command(slug: str, username: str) -> None:
    """Take USERNAME's role on bank SLUG away; a bank's last owner cannot be removed."""
    try:
        user = account_named(username)
        revoke(_bank_slug(slug), user)
    except (AccountError, SharingError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"'{user.username}' no longer owns or edits {slug}")


@click.group("users")
def users_cli() -> None:
    """Manage accounts."""


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="student", show_default=True)
@click.option("--display-name", help="How the name appears (default: the username).")
@with_appcontext
def create_user(username: str, role: str, display_name: str | None) -> None:
    """Create an account. The password is asked for at a prompt, or read from standard input
    when it is not a terminal (never from the command line, where other users could see it)."""
    try:
        user = create_account(username, display_name or username, _read_password(), role=role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {role} '{user.username}'")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@with_appcontext
def set_role(username: str, role: str) -> None:
    """Make an account a student, an instructor or an admin; its sessions end."""
    try:
        change_role(username, role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"'{username.lower()}' is now {'an' if role[0] in 'aeiou' else 'a'} {role}")


def _read_password() -> str:
    """A password from a prompt, or from standard input when it is not a terminal (never from the
    command line, where other users could see it)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@users_cli.command("set-password")
@click.argument("username")
@with_appcontext
def set_password_command(username: str) -> None:
    """Give an account a new password, read as `create` reads it. Its sessions end and a lockout is lifted."""
    try:
        user = account_named(username)
        set_password(user.id, _read_password())
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"new password set for '{user.username}'; their sessions ended")


@users_cli.command("set-email")
@click.argument("username")
@click.argument("email")
@with_appcontext
def set_email_command(username: str, email: str) -> None:
    """Give an account an e-mail address (shown in grade exports, for matching in Moodle); an
    empty EMAIL ("") takes it away."""
    try:
        user = set_email(account_named(username).id, email)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"'{user.username}' has the e-mail address {user.email}"
        if user.email
        else f"'{user.username}' has no e-mail address"
    )


@users_cli.command("unlock")
@click.argument("username")
@with_appcontext
def unlock_command(username: str) -> None:
    """Let an account locked after too many wrong passwords log in again."""
    try:
        user = account_named(username)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    unlock(user.id)
    click.echo(f"'{user.username}' can log in again")


@users_cli.command("risky-names")
@with_appcontext
def risky_names_command() -> None:
    """List the accounts whose username starts with '-', '+', '=' or '@', which spreadsheets read
    as a formula (new accounts cannot have one). They log in and export as any other; quizapp
    cannot rename an account. Exits 1 if there is any, so a script can check."""
    found = formula_like_usernames()
    for user in found:
        click.echo(f"{user.username}\t{user.role}\t{user.display_name}")
    starts = ", ".join(f"'{start}'" for start in FORMULA_STARTS)
    if not found:
        click.echo(f"no username starts with {starts}")
        return
    click.echo(
        f"{len(found)} account{'' if len(found) == 1 else 's'} with a username starting with {starts}. "
        "quizapp cannot rename an account: they keep working as they are. Where a spreadsheet opens "
        "a grade file, import its username column as text so that these read as stored."
    )
    sys.exit(1)


@click.group("export")
def export_cli() -> None:
    """Export a class's scores: the same files as the gradebook's download buttons."""


def _classroom(ref: str) -> Classroom:
    """A class by its number or its join code."""
    found = db.session.get(Classroom, int(ref)) if re.fullmatch(r"[0-9]{1,9}", ref) else None
    found = found or db.session.scalar(select(Classroom).where(Classroom.join_code == normalize_code(ref)))
    if found is None:
        raise click.ClickException(f"no class '{ref}' (give its number or its join code)")
    return found


def _write(chunks: Iterable[bytes], output: str | None) -> None:
    if output in (None, "-"):
        stream = sys.stdout.buffer
        for chunk in chunks:
            stream.write(chunk)
        stream.flush()
        return
    with open(output, "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    click.echo(f"wrote {output}", err=True)


@export_cli.command("grades")
@click.argument("classroom")
@click.option("--format", "fmt", type=click.Choice(list(EXPORTERS)), default="csv", show_default=True)
@click.option("-o", "--output", help="File to write (default: standard output).")
@click.option(
    "--items-created",
    is_flag=True,
    help="moodle: the grade items exist in Moodle, each with its quiz's maximum (docs/exports.md).",
)
@click.option(
    "--quiz",
    metavar="BANK/QUIZ",
    help="moodle: one quiz's file, only the students with a grade in it, to update its grade item in "
    "Moodle without erasing a grade there.",
)
@with_appcontext
def export_grades(
    classroom: str, fmt: str, output: str | None, items_created: bool, quiz: str | None
) -> None:
    """Write the gradebook of CLASSROOM (its number or join code)."""
    if fmt == "xlsx" and output in (None, "-") and sys.stdout.isatty():
        raise click.ClickException("an XLSX file is binary: give -o FILE")
    exporter = EXPORTERS[fmt]
    found = _classroom(classroom)
    close_overdue(classroom_id=found.id)
    if quiz is not None:
        _write(exporter.write(_moodle_quiz_table(found, fmt, quiz)), output)
        return
    if fmt == "moodle" and not items_created:
        needed = moodle_items_to_create(found, bank_registry())
        if needed:
            items = "".join(
                f"\n  {col.title} ({col.bank_slug}/{col.quiz_id}): maximum {col.max_points:g}"
                for col in needed
            )
            raise click.ClickException(
                "Moodle would mis-scale this file: a grade item its import creates is out of 100, and these"
                f" quizzes are not. Create their grade items in Moodle first, with these maxima:{items}\n"
                "then map each column to its item when importing, and export again with --items-created."
            )
    _write(exporter.write(exporter.table(found, bank_registry())), output)


def _moodle_quiz_table(found: Classroom, fmt: str, quiz: str) -> Table:
    if fmt != "moodle":
        raise click.ClickException("--quiz is for --format moodle")
    slug, _, quiz_id = quiz.partition("/")
    column = moodle_quiz(found, bank_registry(), slug, quiz_id)
    if column is None:
        raise click.ClickException(
            f"{found.name} sets no quiz '{quiz}': give BANK/QUIZ, as in a column header of its Moodle file"
        )
    if not reports.has_grades(found, column):
        raise click.ClickException(
            f"nobody in {found.name} has a grade for {column.title} yet, so there is no Moodle file for it"
        )
    return moodle_table(found, bank_registry(), column)


@export_cli.command("responses")
@click.argument("classroom")
@click.option("-o", "--output", help="File to write (default: standard output).")
@with_appcontext
def export_responses(classroom: str, output: str | None) -> None:
    """Write every response of CLASSROOM's students to its set quizzes, one row per question."""
    found = _classroom(classroom)
    close_overdue(classroom_id=found.id)
    _write(write_csv(responses_table(found)), output)


@click.group("attempts")
def attempts_cli() -> None:
    """Look after attempts in progress."""


@attempts_cli.command("close-overdue")
@with_appcontext
def close_overdue_command() -> None:
    """Grade every attempt whose deadline (time limit or window close) and grace have passed, with
    the answers saved by then. Pages do this as they show attempts; run it from cron to have every
    score in the database without anyone looking."""
    closed = close_overdue()
    click.echo(f"{closed} overdue attempt{'' if closed == 1 else 's'} graded")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Copy the SQLite database to PATH, safely while the server runs (SQLite's online backup).
    For PostgreSQL, use pg_dump (see docs/deploy.md)."""
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException("the database is not SQLite: back it up with pg_dump (see docs/deploy.md)")
    if path.exists():
        raise click.ClickException(f"{path} exists: choose a new file, a backup never overwrites one")
    pages = backup_sqlite(path)
    click.echo(f"backed up {pages} pages to {path}")


@click.group("settings")
def settings_cli() -> None:
    """Settings of the whole site, kept in the database: the same on every host."""


@settings_cli.command("timezone")
@click.argument("zone", required=False)
@with_appcontext
def timezone_command(zone: str | None) -> None:
    """Show the school's time zone, or make it ZONE (an IANA name such as Europe/Paris) on every
    host: quiz opening and closing times are typed and shown in it, flashcard days follow it."""
    if zone is None:
        click.echo(school_zone_name())
        return
    try:
        set_school_zone(zone)
    except SettingError as exc:
        raise click.ClickException(str(exc)) from exc
    seconds = current_app.config["SITE_SETTINGS_SECONDS"]
    click.echo(f"the school's time zone is now {zone}; every host shows it within {seconds} seconds")
