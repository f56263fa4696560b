"""How fast a large bank loads and validates, against libyaml parsing the same text alone.

Target: a 10,000-question bank (about 6 MB) loads and validates in under 1.5x the time
``yaml.load(text, Loader=CSafeLoader)`` takes. Run with ``make bench``; exits 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys

import yaml
from common import best_of

from quizapp.banks.loader import YAML_LOADER, parse_bank

TARGET = 1.5
FILLER = "This sentence pads the explanation so that the bank weighs what a real one with long explanations would. "


def make_bank(count: int, seed: int = 1) -> str:
    """A valid bank of ``count`` questions cycling through every type, plus a few quizzes."""
    rng = random.Random(seed)
    lines = ["title: Benchmark bank", "source:", "  title: Generated", "  paragraphs: 8", "questions:"]
    for i in range(count):
        kind = ("single", "multi", "true_false", "text", "numeric", "order", "match")[i % 7]
        lines += [
            f"  - id: q{i}",
            f"    type: {kind}",
            f"    prompt: Question number {i} asks about item {rng.random():.6f}?",
        ]
        if kind in ("single", "multi"):
            choices = [f"Choice {i}-{j}" for j in range(5)]
            lines.append(f"    choices: [{', '.join(choices)}]")
            lines.append(
                f"    answer: {choices[0]}"
                if kind == "single"
                else f"    answer: [{choices[0]}, {choices[2]}]"
            )
            lines.append(f"    feedback: {{{choices[1]}: Not this one, {choices[3]}: Nor this one}}")
        elif kind == "true_false":
            lines.append(f"    answer: {'true' if i % 2 else 'false'}")
        elif kind == "text":
            lines.append(f"    answer: [Answer {i}, The answer {i}, answer number {i}]")
        elif kind == "numeric":
            lines += [f"    answer: {1900 + i % 120}", "    tolerance: 0.5"]
        elif kind == "order":
            lines.append(f"    answer: [First {i}, Second {i}, Third {i}, Fourth {i}]")
        else:
            lines.append(
                f"    answer: {{Left {i}a: Right {i}a, Left {i}b: Right {i}b, Left {i}c: Right {i}c}}"
            )
            lines.append(f"    distractors: [Decoy {i}]")
        lines += [
            "    explanation: >-",
            f"      {FILLER * 3}",
            f"      It is question {i}.",
            f"    source: {i % 8 + 1}",
            f"    tags: [topic-{i % 20}, {kind}]",
        ]
    lines += ["quizzes:"]
    for t in range(20):
        lines += [
            f"  - id: quiz-{t}",
            f"    title: Topic {t}",
            f"    select: {{tags: [topic-{t}], count: 20}}",
            "    shuffle: true",
        ]
    lines += [
        "  - id: some",
        "    title: Some",
        "    questions: [" + ", ".join(f"q{i}" for i in range(0, count, 10)) + "]",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    text = make_bank(args.questions)
    data = text.encode()
    bank = parse_bank(data, "bench.yaml", "bench")
    assert len(bank.questions) == args.questions

    baseline = best_of(args.runs, lambda: yaml.load(text, Loader=YAML_LOADER))  # noqa: S506 - a safe loader
    ours = best_of(args.runs, lambda: parse_bank(data, "bench.yaml", "bench"))
    ratio = ours / baseline
    print(f"bank: {args.questions} questions, {len(data) / 1e6:.1f} MB, loader {YAML_LOADER.__name__}")
    print(f"yaml.load alone:     {baseline:.2f} s (best of {args.runs})")
    print(f"load + validate:     {ours:.2f} s (best of {args.runs})")
    print(f"ratio: {ratio:.2f} (target under {TARGET})")
    return 0 if ratio < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
