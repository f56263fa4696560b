"""A validated bank, as frozen data: nothing downstream re-checks its shape."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from quizapp.banks.review import AFTER_EACH_ATTEMPT, ReviewOptions
from quizapp.questions import Question

#: Who may take a quiz as practice, which counts for no class: "unassigned" (a learner none of
#: whose classes sets it), "always" (anyone, besides any class's attempts) or "never".
PRACTICE = ("unassigned", "always", "never")
#: Questions a quiz page shows when the quiz does not say (``per_page``).
DEFAULT_PER_PAGE = 10


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a bank file, at the line of the YAML node it concerns."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class BankError(Exception):
    """A bank file that cannot be served, with every problem found in it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Source:
    """The text a bank's questions cite, paragraph by paragraph."""

    title: str
    author: str = ""
    published: str = ""
    url: str = ""
    #: Number of paragraphs; when set, a question's ``source`` must lie within it.
    paragraphs: int | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """An extra flashcard written in the bank (every question is a card too)."""

    id: str
    front: str
    back: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quiz:
    """A graded quiz over some of a bank's questions."""

    id: str
    title: str
    description: str = ""
    #: Question ids in order, or None when the quiz selects by tag.
    question_ids: tuple[str, ...] | None = None
    #: With ``question_ids`` None: questions carrying any of these tags (every question if empty).
    select_tags: tuple[str, ...] = ()
    #: With ``question_ids`` None: how many of the selected questions one attempt draws.
    select_count: int | None = None
    shuffle: bool = False
    #: Attempts allowed per learner; None for unlimited.
    attempts: int | None = None
    grading: str = "highest"
    #: When result pages show correct answers, explanations and feedback: "after-each-attempt",
    #: or "after-last-attempt" so that a learner with attempts left cannot copy the key. Mapped
    #: onto ``review``, which says it part by part.
    answers: str = "after-each-attempt"
    #: Which parts of a result show at which moments (an assignment may override it).
    review: ReviewOptions = AFTER_EACH_ATTEMPT
    #: Who may take the quiz as practice (see ``PRACTICE``).
    practice: str = "unassigned"
    #: Seconds an attempt may take; None for untimed.
    time_limit: int | None = None
    #: Questions on each page of an attempt.
    per_page: int = DEFAULT_PER_PAGE

    def pool(self, questions: Mapping[str, Question]) -> list[Question]:
        """Every question this quiz can show, in bank order (or the order the quiz lists them)."""
        if self.question_ids is not None:
            return [questions[qid] for qid in self.question_ids]
        wanted = set(self.select_tags)
        return [q for q in questions.values() if not wanted or wanted.intersection(q.tags)]

    def draw(self, questions: Mapping[str, Question], rng: random.Random) -> list[Question]:
        """The questions of one attempt, in the order shown, choices shuffled where asked."""
        chosen = self.pool(questions)
        if self.select_count is not None and self.select_count < len(chosen):
            chosen = rng.sample(chosen, self.select_count)
            if not self.shuffle:
                order = {q.id: i for i, q in enumerate(questions.values())}
                chosen.sort(key=lambda q: order[q.id])
        elif self.shuffle:
            chosen = rng.sample(chosen, len(chosen))
        return [q.presented(rng, self.shuffle) for q in chosen]

    def max_points(self, questions: Mapping[str, Question]) -> float:
        """The most one attempt can be worth."""
        points = sorted(q.points for q in self.pool(questions))
        return sum(points if self.select_count is None else points[-self.select_count :])

    def size(self, questions: Mapping[str, Question]) -> int:
        """How many questions one attempt shows."""
        pool = len(self.pool(questions))
        return pool if self.select_count is None else min(pool, self.select_count)


@dataclass(frozen=True, slots=True)
class Bank:
    """A question bank file, validated."""

    slug: str
    title: str
    questions: Mapping[str, Question]
    quizzes: Mapping[str, Quiz]
    #: SHA-256 of the file's bytes; attempts record it.
    sha256: str
    description: str = ""
    source: Source | None = None
    cards: tuple[Card, ...] = ()
