"""How fast a large GIFT or Moodle XML file imports, against the bank validator on the bank it makes.

Builds a 1,000-question GIFT file of every type GIFT holds (choices with feedback, weighted
multiple answers, true/false, short answers, numerical ranges, matching; escapes and general
feedback), then times, in one app on SQLite, ``quizapp banks import FILE`` (read, convert, write
the YAML with ruamel.yaml, validate, save as a revision) side by side with ``quizapp banks validate``
on the YAML it wrote. The same bank, exported as Moodle XML by ``quizapp banks export``, is timed
the same way. Target: each import takes under 3x the validation. Run with ``make bench``; exits 1
if the target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import flask_migrate
from common import best_of

from quizapp import create_app

TARGET = 3.0
FILLER = "This sentence pads the explanation as a real one would. "


def make_gift(count: int, seed: int = 1) -> str:
    """A GIFT file of ``count`` questions cycling through every answer form."""
    rng = random.Random(seed)
    items = ["// Benchmark questions", "$CATEGORY: $course$/top/Benchmark", ""]
    for i in range(count):
        kind = i % 6
        head = f"::q{i}::Question {i} asks about item {rng.random():.6f}\\: which? {{"
        explanation = f"\t####{FILLER * 3}It is question {i}."
        if kind == 0:
            body = [
                f"\t=Choice {i}-0#Right.",
                f"\t~Choice {i}-1#Not this one.",
                f"\t~Choice {i}-2",
                f"\t~Choice {i}-3",
            ]
        elif kind == 1:
            body = [
                f"\t~%50%Choice {i}-0",
                f"\t~%50%Choice {i}-1",
                f"\t~%-50%Choice {i}-2#No.",
                f"\t~%-50%Choice {i}-3",
            ]
        elif kind == 2:
            body = [f"\t{'TRUE' if i % 2 else 'FALSE'}#Look again.#Well done."]
        elif kind == 3:
            body = [f"\t=Answer {i}", f"\t=The answer {i}", f"\t=answer number {i}"]
        elif kind == 4:
            body = [f"\t#{1900 + i % 120}..{1902 + i % 120}"]
        else:
            body = [f"\t=Left {i}{c} -> Right {i}{c}" for c in "abc"] + [f"\t= -> Decoy {i}"]
        items += [head, *body, explanation, "}", ""]
    return "\n".join(items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        banks = Path(tmp) / "questions"
        banks.mkdir()
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "BANKS_DIR": str(banks),
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
        gift = make_gift(args.questions)
        runner = app.test_cli_runner()
        made = iter(range(1, 1000))

        def run(args_: list[str]) -> None:
            result = runner.invoke(args=args_)
            assert result.exit_code == 0, result.output

        def timed(fmt: str, text: str, suffix: str) -> tuple[float, float, int]:
            """Best import of ``text`` (each run a new bank: an import never replaces one), and best
            validation of the first bank it made, and that bank's size."""
            first = f"bench-{fmt}-{next(made)}"
            names = iter([first, *(f"bench-{fmt}-{next(made)}" for _ in range(args.runs))])

            def import_once() -> None:
                source = Path(tmp) / f"{next(names)}{suffix}"
                source.write_text(text)
                run(["banks", "import", str(source), "--format", fmt])

            importing = best_of(args.runs, import_once)
            validating = best_of(args.runs, lambda: run(["banks", "validate", str(banks / f"{first}.yaml")]))
            return importing, validating, (banks / f"{first}.yaml").stat().st_size

        results = {"GIFT": timed("gift", gift, ".gift")}
        exported = Path(tmp) / "exported.xml"
        run(["banks", "export", "bench-gift-1", "--format", "moodle-xml", "-o", str(exported)])
        results["Moodle XML"] = timed("moodle-xml", exported.read_text(), ".xml")

    worst = 0.0
    for name, (importing, validating, size) in results.items():
        ratio = importing / validating
        worst = max(worst, ratio)
        print(f"{name} file: {args.questions} questions; the bank: {size / 1e3:.0f} kB")
        print(f"  quizapp banks import:   {importing:.3f} s (best of {args.runs})")
        print(f"  quizapp banks validate: {validating:.3f} s (best of {args.runs})")
        print(f"  ratio: {ratio:.2f} (target under {TARGET})")
    return 0 if worst < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
