"""A validated bank, as frozen data: nothing downstream re-checks its shape."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from quizapp.banks.review import AFTER_EACH_ATTEMPT, ReviewOptions
from quizapp.questions import HEADER, Citation, Question

#: Who may take a quiz as practice, which counts for no class: "unassigned" (a learner none of
#: whose classes sets it), "always" (anyone, besides any class's attempts) or "never".
PRACTICE = ("unassigned", "always", "never")
#: Questions a quiz page shows when the quiz does not say (``per_page``).
DEFAULT_PER_PAGE = 10


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a bank file, at the line of the YAML node it concerns. An error keeps
    the bank from being served; a warning (the answer-leak lint) never does."""

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {label}{self.message}"


class BankError(Exception):
    """A bank file that cannot be served, with every problem found in it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Passage:
    """What a bank says of one part of its source: a summary in the bank author's words, and
    the part's first words verbatim (only to link to it)."""

    summary: str
    opens: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """The text a bank's questions cite, paragraph by paragraph."""

    title: str
    author: str = ""
    published: str = ""
    url: str = ""
    #: Number of paragraphs; when set, a question's ``source`` must lie within it.
    paragraphs: int | None = None
    #: The passages the bank describes, by paragraph number and ``"header"``.
    passages: Mapping[Citation, Passage] = field(default_factory=dict)

    def link(self, citation: Citation) -> str:
        """The source's address, scrolled to the cited part where the browser supports text
        fragments (``#:~:text=``); the plain address when its first words are not known."""
        passage = self.passages.get(citation)
        if not self.url or passage is None or not passage.opens:
            return self.url
        # The directive's own syntax uses "-", "&" and ",": the Text Fragments spec has them encoded.
        start = quote(passage.opens, safe="").replace("-", "%2D")
        return f"{self.url}{':~:' if '#' in self.url else '#:~:'}text={start}"


def citation_label(citation: Citation) -> str:
    """How a page names a citation: "¶5", or "header" (the byline, date and standfirst)."""
    return "header" if citation == HEADER else f"¶{citation}"


def citations_text(citations: Sequence[Citation]) -> str:
    """A question's citations in words: "Paragraph 5", "Paragraphs 2 and 5", "The header and
    paragraph 1"."""
    numbers = [str(c) for c in citations if c != HEADER]
    parts = ["the header"] if HEADER in citations else []
    if numbers:
        listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        parts.append(f"paragraph{'s' if len(numbers) > 1 else ''} {listed}")
    text = " and ".join(parts)
    return text[:1].upper() + text[1:]


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
    #: What the answer-leak lint found: warnings, which never stop a bank from being served.
    warnings: tuple[Problem, ...] = ()
