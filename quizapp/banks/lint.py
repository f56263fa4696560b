"""The answer-leak lint: within one quiz, a question that shows another question's answer.

A learner taking the quiz reads every prompt and choice before submitting, so a key written in
another question's prompt or among its choices gives that answer away. The keys are what each
type says (``Question.keys``: a text question's accepted answers, a numeric answer as written,
the right choices of single and multi); they are compared after ``normalize_text``, as whole
words, and only from ``MIN_KEY`` characters, below which words like "CIS" or "6" match too much
by chance. What the lint finds are warnings: a bank with them is still served.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quizapp.banks.model import Problem, Quiz
from quizapp.questions import Question, normalize_text

#: Keys shorter than this, once normalised, are not looked for.
MIN_KEY = 4

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Shown:
    """A text a learner reads before answering: a question's prompt, or one of its choices or
    items (``field`` is the bank field it came from), at its line."""

    question_id: str
    field: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class _Leak:
    shown: Shown
    #: The question whose answer the text shows, and that answer as the bank writes it.
    keyed: str
    key: str
    #: The text is the key itself, not a longer text containing it.
    whole: bool


def answer_leaks(
    path: str, questions: Mapping[str, Question], quizzes: Mapping[str, Quiz], shown: Sequence[Shown]
) -> list[Problem]:
    """A warning for each shown text that holds the answer of another question of a quiz it is
    in, at the text's line, naming both questions and the quizzes; in line order."""
    leaks = _leaks(questions, shown)
    if not leaks:
        return []
    quizzes_of: dict[_Leak, list[str]] = defaultdict(list)
    for quiz in quizzes.values():
        pool = {q.id for q in quiz.pool(questions)}
        for leak in leaks:
            if leak.shown.question_id in pool and leak.keyed in pool:
                quizzes_of[leak].append(quiz.id)
    return sorted(
        (Problem(path, leak.shown.line, _message(leak, ids), "warning") for leak, ids in quizzes_of.items()),
        key=lambda p: (p.line, p.message),
    )


def _leaks(questions: Mapping[str, Question], shown: Sequence[Shown]) -> list[_Leak]:
    """Every shown text holding another question's key, whatever the quizzes; for each text and
    question, the longest such key only."""
    # Keys by their run of words (a symbol at either end, as in "C++", stays outside it), so that
    # each run of a text's words is looked up once: a large bank has thousands of keys and texts,
    # and comparing each with each would take minutes.
    by_words: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    longest = 0
    for question in questions.values():
        for key in dict.fromkeys(question.keys()):
            folded = normalize_text(key)
            words = list(_WORD.finditer(folded))
            if len(folded) >= MIN_KEY and words:
                core = folded[words[0].start() : words[-1].end()]
                by_words[core].append((folded, words[0].start(), question.id, key))
                longest = max(longest, len(words))
    found: dict[tuple[Shown, str], tuple[int, _Leak]] = {}
    for text in shown:
        folded = normalize_text(text.text)
        spans = [word.span() for word in _WORD.finditer(folded)]
        for i, (start, _) in enumerate(spans):
            for _, end in spans[i : i + longest]:
                for key, offset, keyed, written in by_words.get(folded[start:end], ()):
                    if keyed == text.question_id or not _whole_words(folded, key, start - offset):
                        continue
                    if len(key) > found.get((text, keyed), (0, None))[0]:
                        found[text, keyed] = len(key), _Leak(text, keyed, written, whole=key == folded)
    return [leak for _, leak in found.values()]


def _whole_words(text: str, key: str, start: int) -> bool:
    """Whether ``key`` stands at ``start`` in ``text`` and no letter or digit runs on either side
    ("Putin" is in "Putin's decision", not in "Rasputin" or "Putinism")."""
    end = start + len(key)
    if start < 0 or not text.startswith(key, start):
        return False
    before = start == 0 or not (_is_word(text[start - 1]) and _is_word(key[0]))
    after = end == len(text) or not (_is_word(text[end]) and _is_word(key[-1]))
    return before and after


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _message(leak: _Leak, quiz_ids: list[str]) -> str:
    quizzes = " and ".join(f"'{q}'" for q in quiz_ids)
    where = f"quiz{'zes' if len(quiz_ids) > 1 else ''} {quizzes}"
    shown = leak.shown
    if shown.field == "prompt":
        place = f"the prompt of question '{shown.question_id}'"
    else:
        kind = "choice" if shown.field == "choices" else "option"
        place = f"the {kind} '{_quoted(shown.text)}' of question '{shown.question_id}'"
    if leak.whole:
        return f"{place} is the answer of question '{leak.keyed}' (both in {where})"
    return f"{place} shows '{_quoted(leak.key)}', the answer of question '{leak.keyed}' (both in {where})"


def _quoted(text: str) -> str:
    return text if len(text) <= 60 else text[:50] + "…"
