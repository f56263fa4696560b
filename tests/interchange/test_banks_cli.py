"""``quizapp banks import`` and ``quizapp banks export``: files in and out, problems by line, losses
by id, nothing written when anything is wrong."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from quizapp.banks import load_bank
from quizapp.extensions import bank_registry, db
from quizapp.models import BankRevision
from quizapp.questions import MultipleChoice, SingleChoice
from tests.factories import archive_bank, canvas_package

GIFT = """\
// Two questions.
$CATEGORY: $course$/top/Imported quiz

::capital::What is the capital of Kazakhstan?{=Astana ~Almaty ~Bishkek}

How many member states signed in 1992?{#6}
"""


def revisions(app: Flask, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(BankRevision.bank_slug == slug)) or 0


def test_import_makes_a_new_bank_named_after_the_file_that_the_validator_accepts(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    source = tmp_path / "Imported Quiz.gift"
    source.write_text(GIFT)

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 0, result.output
    assert (
        "imported 2 questions and 0 cards from Imported Quiz.gift (gift) into a new bank 'imported-quiz'"
        in (result.output)
    )
    written = (banks_dir / "imported-quiz.yaml").read_text()
    assert written.startswith("title: Imported quiz\n")
    assert "  # from line 4 of Imported Quiz.gift\n  - id: capital\n" in written
    bank = load_bank(banks_dir / "imported-quiz.yaml")
    assert list(bank.questions) == ["capital", "how-many-member-states-signed-in-1992"]
    assert runner.invoke(args=["banks", "validate", str(banks_dir / "imported-quiz.yaml")]).exit_code == 0


def test_import_of_a_canvas_package_keeps_its_quiz_title_and_fixed_choice_order(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    source = tmp_path / "csto.qti.zip"
    source.write_bytes(canvas_package(title="CSTO review, fixed order", shuffled=False))

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 0, result.output
    bank = load_bank(banks_dir / "csto.yaml")
    assert bank.title == "CSTO review, fixed order"
    choices = [q for q in bank.questions.values() if isinstance(q, SingleChoice | MultipleChoice)]
    assert len(choices) == 2
    assert not any(q.shuffle for q in choices)


def test_import_guesses_gift_from_the_text_of_a_txt_file(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    source = tmp_path / "quiz.txt"
    source.write_text(GIFT)

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 0, result.output
    assert (banks_dir / "quiz.yaml").exists()


def test_import_with_problems_prints_them_by_line_and_writes_nothing(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    source = tmp_path / "broken.gift"
    source.write_text(GIFT + "\nHow far? {#far}\n\nUnclosed {=a ~b\n")

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 1
    assert "broken.gift:line 8: 'far' is not a numerical answer" in result.output
    assert "broken.gift:line 10: the answer block opened with '{' here is not closed" in result.output
    assert "nothing was imported" in result.output
    assert not (banks_dir / "broken.yaml").exists()


def test_import_prints_what_quizapp_cannot_hold_by_id(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    source = tmp_path / "essay.gift"
    source.write_text(GIFT + "\n::essay::Write about Grant.{}\n")

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 0, result.output
    assert "lost: essay: an essay question: quizapp has no such type" in result.output


def test_import_refuses_to_replace_an_existing_bank(runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path):
    before = (banks_dir / "every-type.yaml").read_text()
    source = tmp_path / "every-type.gift"
    source.write_text(GIFT)

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 1
    assert (
        "A bank called every-type exists already (or is archived): choose another name, or add to that bank"
        in result.output
    )
    assert (banks_dir / "every-type.yaml").read_text() == before


def test_import_refuses_a_new_bank_whose_name_is_archived(
    app: Flask, runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    archive_bank(app, "every-type")
    source = tmp_path / "every-type.gift"
    source.write_text(GIFT)

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 1
    assert "A bank called every-type exists already (or is archived)" in result.output
    assert not (banks_dir / "every-type.yaml").exists()


def test_import_into_appends_as_a_new_revision_keeping_the_file_as_it_was(
    app: Flask, runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    before = (banks_dir / "every-type.yaml").read_text()
    source = tmp_path / "more.gift"
    source.write_text(GIFT)
    with app.app_context():
        bank_registry().refresh(force=True)  # the file on disk becomes the bank's first revision
    counted = revisions(app, "every-type")

    result = runner.invoke(args=["banks", "import", str(source), "--into", "every-type"])

    assert result.exit_code == 0, result.output
    assert "into the end of the bank 'every-type'" in result.output
    after = (banks_dir / "every-type.yaml").read_text()
    head, _, _ = before.partition("quizzes:")
    assert after.startswith(head.rstrip("\n"))  # the bank's own text, comments included, is untouched
    assert "  # from line 4 of more.gift\n  - id: capital\n" in after
    bank = load_bank(banks_dir / "every-type.yaml")
    assert list(bank.questions)[-2:] == ["capital", "how-many-member-states-signed-in-1992"]
    assert counted == 1
    assert revisions(app, "every-type") == 2


def test_import_into_refuses_an_id_the_bank_has(runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path):
    before = (banks_dir / "every-type.yaml").read_text()
    source = tmp_path / "clash.gift"
    source.write_text("::single-q::Again?{T}\n\n::tf-q::And again?{F}\n")

    result = runner.invoke(args=["banks", "import", str(source), "--into", "every-type"])

    assert result.exit_code == 1
    assert "The bank already has items with the id 'single-q' (line 1), 'tf-q' (line 3)" in result.output
    assert (banks_dir / "every-type.yaml").read_text() == before


def test_import_into_a_missing_bank_is_refused(runner: FlaskCliRunner, tmp_path: Path):
    source = tmp_path / "more.gift"
    source.write_text(GIFT)

    result = runner.invoke(args=["banks", "import", str(source), "--into", "nowhere"])

    assert result.exit_code == 1
    assert "There is no bank nowhere to import into." in result.output


def test_import_of_an_unrecognisable_file_asks_for_the_format(runner: FlaskCliRunner, tmp_path: Path):
    source = tmp_path / "notes.txt"
    source.write_text("Just some notes.\n")

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 1
    assert (
        "The format of notes.txt could not be guessed: choose it (aiken, quizlet, anki-txt, gift, moodle-xml, qti)"
        in result.output
    )


def test_import_of_a_damaged_qti_package_is_refused_with_a_message(runner: FlaskCliRunner, tmp_path: Path):
    package = tmp_path / "every-type.qti.zip"
    exported = runner.invoke(args=["banks", "export", "every-type", "--format", "qti", "-o", str(package)])
    assert exported.exit_code == 0, exported.output
    data = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as archive:
        [info] = [i for i in archive.infolist() if i.filename.endswith("every-type.xml")]
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5] ^= (
        0xFF  # a broken download
    )
    package.write_bytes(bytes(data))

    result = runner.invoke(args=["banks", "import", str(package)])

    assert result.exit_code == 1
    assert (
        "every-type.qti.zip cannot be read as a QTI package: the package is damaged or encrypted"
        in result.output
    )


def zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "latin.gift",
            "Q?{T}\nCaf\xe9?{T}\n".encode("latin-1"),
            "latin.gift is not UTF-8 text (line 2 has a byte UTF-8 does not allow)",
        ),
        ("binary.gift", GIFT.encode() + b"\x00\x01", "binary.gift is not text (it holds NUL bytes)"),
        (
            "notes.zip",
            zip_of("notes.txt", "not an assessment"),
            "notes.zip cannot be read as a QTI package: the package holds no QTI document",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_saying_why(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path, name: str, data: bytes, message: str
):
    source = tmp_path / name
    source.write_bytes(data)

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 1
    assert message in result.output
    assert sorted(p.name for p in banks_dir.glob("*.yaml")) == ["every-type.yaml"]


def test_export_writes_a_file_beside_the_name_and_lists_losses_by_id(
    runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(args=["banks", "export", "every-type", "--format", "gift"])

    assert result.exit_code == 0, result.output
    assert "lost: order-q: the question: GIFT has no 'order' type" in result.output
    assert "lost: single-q: its source citation" in result.output
    assert "wrote every-type.gift" in result.output
    text = (tmp_path / "every-type.gift").read_text()
    assert "::single-q::[plain]Pick the capital of Kazakhstan. {" in text


def test_export_then_import_gives_the_bank_back(runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path):
    target = tmp_path / "copy.gift"
    assert (
        runner.invoke(args=["banks", "export", "every-type", "--format", "gift", "-o", str(target)]).exit_code
        == 0
    )

    result = runner.invoke(args=["banks", "import", str(target)])

    assert result.exit_code == 0, result.output
    copy = load_bank(banks_dir / "copy.yaml")
    original = load_bank(banks_dir / "every-type.yaml")
    assert copy.questions["single-q"].feedback_by_choice == original.questions["single-q"].feedback_by_choice
    assert set(copy.questions) == set(original.questions) - {"order-q"}


@pytest.mark.parametrize("fmt", ["moodle-xml", "qti", "aiken"])
def test_every_export_format_goes_out_and_back_in_through_the_commands(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    exported = runner.invoke(args=["banks", "export", "every-type", "--format", fmt])
    assert exported.exit_code == 0, exported.output
    [written] = out.iterdir()  # beside the name: every-type.xml, every-type.qti.zip, every-type.txt
    assert written.name.startswith("every-type.")
    copy = written.rename(out / f"copy{written.name.removeprefix('every-type')}")

    result = runner.invoke(args=["banks", "import", str(copy), "--format", fmt])

    assert result.exit_code == 0, result.output
    single = load_bank(banks_dir / "every-type.yaml").questions["single-q"]
    back = load_bank(banks_dir / "copy.yaml").questions.values()  # Aiken has no ids: made from prompts
    assert [q.answer for q in back if q.prompt == single.prompt] == [single.answer]


def test_export_of_a_missing_bank_is_refused(runner: FlaskCliRunner, tmp_path: Path):
    result = runner.invoke(args=["banks", "export", "nowhere", "--format", "gift", "-o", str(tmp_path / "x")])

    assert result.exit_code == 1
    assert "There is no bank nowhere." in result.output
    assert not (tmp_path / "x").exists()


def test_a_file_of_only_essays_imports_nothing_and_says_why(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    source = tmp_path / "essays.gift"
    source.write_text("Write about Osh.{}\n\nAnd about Astana.{}\n")

    result = runner.invoke(args=["banks", "import", str(source)])

    assert result.exit_code == 1
    assert "lost: write-about-osh: an essay question" in result.output
    assert "The file holds no question or card quizapp can import." in result.output
    assert "essays.gift has problems: nothing was imported" in result.output
    assert not (banks_dir / "essays.yaml").exists()


def test_cards_alone_make_no_new_bank_but_go_into_one(
    runner: FlaskCliRunner, banks_dir: Path, tmp_path: Path
):
    source = tmp_path / "set.txt"
    source.write_text("Osh\tA city\n")

    alone = runner.invoke(args=["banks", "import", str(source), "--format", "quizlet"])
    into = runner.invoke(args=["banks", "import", str(source), "--format", "quizlet", "--into", "every-type"])

    assert alone.exit_code == 1
    assert "A bank needs at least one question, and this file holds only cards" in alone.output
    assert not (banks_dir / "set.yaml").exists()
    assert into.exit_code == 0, into.output
    assert "imported 0 questions and 1 cards from set.txt (quizlet) into the end of the bank" in into.output
    assert [c.id for c in load_bank(banks_dir / "every-type.yaml").cards] == ["osh"]
    assert "  # from line 1 of set.txt\n  - id: osh\n" in (banks_dir / "every-type.yaml").read_text()
