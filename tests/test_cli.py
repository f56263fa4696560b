"""`quizapp banks validate`: every problem as path:line: message, exit 1 when any bank has one;
the answer-leak lint's warnings as path:line: warning: message, failing only with --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

ROOT = Path(__file__).resolve().parent.parent

BROKEN = """\
title: Broken
questions:
  - id: a
    type: single
    prompt: P
    choices: [Astana, Bishkek]
    answer: Almaty
  - id: b
    type: true_false
    prompt: Q
    answer: yes
"""

#: Question b's prompt (line 7) names a's answer, and both are in quiz all.
LEAKY = """\
title: Leaky
questions:
  - {id: a, type: text, prompt: Who refused?, answer: Medvedev}
  - id: b
    type: true_false
    prompt: >-
      Medvedev refused in 2010.
    answer: true
quizzes:
  - {id: all, title: All, questions: [a, b]}
"""
#: The shipped test bank's one warning: match-q offers Belarus, a right choice of multi-q.
EVERY_TYPE_LEAK = (
    "questions/every-type.yaml:53: warning: the option 'Belarus' of question 'match-q' is the answer of "
    "question 'multi-q' (both in quizzes 'all' and 'review')"
)
EVERY_TYPE_OK = "questions/every-type.yaml: ok (7 questions, 2 quizzes, 1 warning)"
LEAK = (
    "questions/leaky.yaml:6: warning: the prompt of question 'b' shows 'Medvedev', the answer of "
    "question 'a' (both in quiz 'all')"
)


@pytest.fixture
def runner(runner, monkeypatch, tmp_path):
    """The CLI runner, run from the folder holding the banks folder so reports name questions/<slug>.yaml."""
    monkeypatch.chdir(tmp_path)
    return runner


def test_validate_checks_every_bank_in_the_folder_and_exits_0_when_all_are_clean(runner, make_bank):
    make_bank("second", "title: Second\nquestions:\n  - {id: a, type: true_false, prompt: P, answer: true}\n")

    result = runner.invoke(args=["banks", "validate"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert EVERY_TYPE_OK in lines
    assert "questions/second.yaml: ok (1 questions, 0 quizzes)" in lines
    assert "2 bank(s) checked, 0 with problems, 1 with warnings" in lines


def test_validate_reports_each_problem_at_its_line_and_exits_1(runner, make_bank):
    make_bank("broken", BROKEN)

    result = runner.invoke(args=["banks", "validate"])

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    problems = [line for line in lines if line.startswith("questions/broken.yaml:")]
    assert [line.split(": ", 1)[0] for line in problems] == [
        "questions/broken.yaml:7",
        "questions/broken.yaml:11",
    ]
    assert "'Almaty'" in problems[0]
    assert "'yes'" in problems[1]
    assert EVERY_TYPE_OK in lines
    assert "2 bank(s) checked, 1 with problems, 1 with warnings" in lines


def test_validate_with_paths_checks_only_those_files(runner, tmp_path):
    broken = tmp_path / "elsewhere.yaml"
    broken.write_text(dedent(BROKEN))

    result = runner.invoke(args=["banks", "validate", "elsewhere.yaml"])

    assert result.exit_code == 1, result.output
    assert "every-type" not in result.output
    assert [line.split(": ", 1)[0] for line in result.output.splitlines()[:2]] == [
        "elsewhere.yaml:7",
        "elsewhere.yaml:11",
    ]
    assert "1 bank(s) checked, 1 with problems" in result.output


def test_validate_with_a_clean_path_exits_0(runner, tmp_path):
    result = runner.invoke(args=["banks", "validate", "questions/every-type.yaml"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        EVERY_TYPE_LEAK,
        EVERY_TYPE_OK,
        "1 bank(s) checked, 0 with problems, 1 with warnings",
    ]


def test_validate_reports_a_missing_file_as_a_problem(runner):
    result = runner.invoke(args=["banks", "validate", "missing.yaml"])

    assert result.exit_code == 1, result.output
    assert result.output.startswith("missing.yaml:1: cannot read the file")


def test_validate_with_no_banks_in_the_folder_says_so_and_exits_1(runner, banks_dir):
    (banks_dir / "every-type.yaml").unlink()

    result = runner.invoke(args=["banks", "validate"])

    assert result.exit_code == 1
    assert "no banks found" in result.output


def test_the_console_script_validates_the_shipped_bank():
    script = Path(sys.executable).parent / "quizapp"
    completed = subprocess.run(  # noqa: S603 - a fixed command line, no shell
        [str(script), "banks", "validate", "questions/csto-2022.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    # Before it, the answer-leak lint's warnings, if any: they never fail the check without --strict.
    assert any(line.startswith("questions/csto-2022.yaml: ok (") for line in completed.stdout.splitlines())


def test_validate_prints_each_warning_at_its_line_and_still_exits_0(runner, make_bank):
    make_bank("leaky", LEAKY)

    result = runner.invoke(args=["banks", "validate"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        EVERY_TYPE_LEAK,
        EVERY_TYPE_OK,
        LEAK,
        "questions/leaky.yaml: ok (2 questions, 1 quizzes, 1 warning)",
        "2 bank(s) checked, 0 with problems, 2 with warnings",
    ]


def test_validate_strict_counts_warnings_as_problems_and_exits_1(runner, make_bank):
    make_bank("leaky", LEAKY)

    result = runner.invoke(args=["banks", "validate", "--strict", "questions/leaky.yaml"])

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        LEAK,
        "questions/leaky.yaml: ok (2 questions, 1 quizzes, 1 warning)",
        "1 bank(s) checked, 0 with problems, 1 with warnings (--strict: they count as problems)",
    ]


def test_validate_strict_on_a_bank_without_warnings_exits_0(runner, make_bank):
    make_bank("clean", LEAKY.replace("Medvedev refused", "He refused"))

    result = runner.invoke(args=["banks", "validate", "--strict", "questions/clean.yaml"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "questions/clean.yaml: ok (2 questions, 1 quizzes)",
        "1 bank(s) checked, 0 with problems",
    ]


def test_validate_strict_keeps_the_format_of_errors_and_exits_1(runner, make_bank):
    make_bank("broken", BROKEN)

    result = runner.invoke(args=["banks", "validate", "--strict", "questions/broken.yaml"])

    assert result.exit_code == 1, result.output
    assert [line.split(": ", 1)[0] for line in result.output.splitlines()[:2]] == [
        "questions/broken.yaml:7",
        "questions/broken.yaml:11",
    ]
    assert "warning" not in result.output


def test_validate_given_a_folder_checks_the_banks_in_it(runner, tmp_path):
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "leaky.yaml").write_text(LEAKY)
    (folder / "notes.txt").write_text("not a bank")

    result = runner.invoke(args=["banks", "validate", "drafts"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        LEAK.replace("questions/", "drafts/"),
        "drafts/leaky.yaml: ok (2 questions, 1 quizzes, 1 warning)",
        "1 bank(s) checked, 0 with problems, 1 with warnings",
    ]


def test_validate_given_an_empty_folder_says_so_and_exits_1(runner, tmp_path):
    (tmp_path / "empty").mkdir()

    result = runner.invoke(args=["banks", "validate", "empty"])

    assert result.exit_code == 1
    assert "no banks found in empty" in result.output
