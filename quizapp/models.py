"""Database models: accounts, and every attempt and response a learner makes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.extensions import Base, db
from quizapp.people import Roles
from quizapp.questions import Question, from_snapshot

if TYPE_CHECKING:
    # mypy takes no class made at run time (``db.Model``) as a base; Flask-SQLAlchemy makes it from
    # our Base, which stands in for it when checking.
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store timezone-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # PostgreSQL answers in its session's zone; everything in the app is in UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: A student takes quizzes; an instructor also runs classes and banks; an admin (site administrator)
#: also manages every bank and account.
ROLES = ("student", "instructor", "admin")


class User(Roles, UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased: "Ada" and "ada" are one account.
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    #: Optional, for matching in an LMS's grade import; kept as typed (Moodle's import compares
    #: addresses exactly). Set only with ``accounts.operations.set_email``.
    email: Mapped[str | None] = mapped_column(String(254))
    #: ``email`` lower-cased: one account per address, whatever its case; many accounts have none.
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: One of ROLES; only the CLI (or an admin) makes instructors and admins.
    role: Mapped[str] = mapped_column(String(20), default="student", server_default="student")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Sessions carry the generation they were made in; raising it (logout, a new password, a new
    #: role, "log out everywhere") ends every session made before.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Wrong passwords in the current counting window, which began at ``failed_since``.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    failed_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: No login is checked before this moment (too many wrong passwords); None: not locked.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Attempt(Model):
    """One learner's go at one quiz."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "bank_slug", "quiz_id", "number"),
        Index("ix_attempts_user_quiz", "user_id", "bank_slug", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_slug: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    #: The class's setting of the quiz this attempt counts for; None for practice, which counts for
    #: no class (and an attempt whose quiz was taken off its class becomes practice).
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True
    )
    #: 1 for the learner's first attempt at this quiz in any setting; unique, so the attempts limit
    #: holds under races.
    number: Mapped[int]
    #: Quiz title when the attempt began, for history pages that outlive the quiz.
    quiz_title: Mapped[str] = mapped_column(String(300))
    #: SHA-256 of the bank file when the attempt began; scores never follow later edits.
    bank_sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None while the attempt is in progress.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None]
    max_score: Mapped[float]
    #: The quiz's time limit in seconds when the attempt began (None: untimed).
    time_limit: Mapped[int | None]
    #: When the server grades the saved answers by itself: the earlier of the time limit (with the
    #: learner's extra time) and the window's close. None: no deadline.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: Saves of the learner's draft answers so far; each save adds one, and pages carry it so a
    #: browser can tell whether its own copy is newer than the server's.
    draft_version: Mapped[int] = mapped_column(default=0, server_default="0")
    drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: True when the server graded the attempt at its deadline rather than the learner submitting it.
    auto_submitted: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="attempt", order_by="Response.position", cascade="all, delete-orphan"
    )

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def fraction(self) -> float | None:
        """Score as a fraction of the maximum (None until submitted)."""
        if self.score is None:
            return None
        return self.score / self.max_score if self.max_score else 0.0


class Response(Model):
    """One question as shown in an attempt, and what the learner answered."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    #: 0-based place of the question in the attempt.
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(String(100))
    question_type: Mapped[str] = mapped_column(String(20))
    #: The question as shown, choices in the order shown, with its key: grading and result pages
    #: use this, never the bank as it is now.
    question: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The learner's response (None if unanswered or not yet submitted).
    answer: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    points: Mapped[float | None]
    max_points: Mapped[float]
    #: "correct", "partial", "wrong" or "unanswered"; None until submitted.
    outcome: Mapped[str | None] = mapped_column(String(12))
    #: The learner's answer as last saved, as the form's raw fields ({name: [values]}), kept even
    #: when it cannot be graded yet (a number typed as "abc") so nothing typed is lost.
    draft: Mapped[dict[str, list[str]] | None] = mapped_column(JSON(none_as_null=True))
    #: Marked "flag for review" by the learner.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())

    attempt: Mapped[Attempt] = relationship(back_populates="responses")

    def shown_question(self) -> Question:
        return from_snapshot(self.question)


class Classroom(Model):
    """A class an instructor runs; students join it with its code."""

    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What students type to join: no look-alike characters; the instructor can make a new one.
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instructor: Mapped[User] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", order_by="Assignment.id"
    )


class Enrollment(Model):
    """A student's place in a class. Removing it keeps the student's attempts and scores."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("classroom_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship()


class Assignment(Model):
    """A quiz set for a class, open between two optional times."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("classroom_id", "bank_slug", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"))
    bank_slug: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    #: None: open from the start.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: None: never closes. The server refuses starts after it and grades what is saved at it.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Review options that override the quiz's own ({part: [moments]}, see quizapp.banks.review); None
    #: keeps the bank's.
    review: Mapped[dict[str, list[str]] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
    extra_time: Mapped[list[ExtraTime]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )

    def state(self, now: datetime) -> str:
        """ "upcoming", "open" or "closed" at ``now``."""
        return self.window_state(self.opens_at, self.closes_at, now)

    @staticmethod
    def window_state(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> str:
        """ "upcoming", "open" or "closed" at ``now``, for a setting open between these times."""
        if opens_at is not None and now < opens_at:
            return "upcoming"
        if closes_at is not None and now >= closes_at:
            return "closed"
        return "open"


class ExtraTime(Model):
    """Minutes a student gets beyond a timed quiz's limit in one assignment (an accommodation)."""

    __tablename__ = "extra_time"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    minutes: Mapped[int]

    assignment: Mapped[Assignment] = relationship(back_populates="extra_time")
    user: Mapped[User] = relationship()


class BankRevision(Model):
    """One saved version of a bank file, kept whole so any two can be compared or restored."""

    __tablename__ = "bank_revisions"
    __table_args__ = (
        Index("ix_bank_revisions_slug", "bank_slug", "id"),
        # Two saves built on the same version both ask for the next number: one of them gets it.
        UniqueConstraint("bank_slug", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_slug: Mapped[str] = mapped_column(String(100))
    #: Its number in the bank's history (1, 2, ...); None on a version saved by code older than 0007.
    seq: Mapped[int | None]
    #: None for a version found on disk (an editor, git), not saved through the app.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: SHA-256 of ``text`` encoded as UTF-8, as the bank loader computes it.
    sha256: Mapped[str] = mapped_column(String(64))
    #: What made this version: "save", "question", "accept" (a learner's answer accepted from the item
    #: analysis), "create", "import" (a file's items added from the import page), "restore",
    #: "archive", "unarchive" or "disk".
    action: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


#: What a bank member may do: an owner edits and shares the bank, an editor edits it.
BANK_ROLES = ("owner", "editor")


class SiteSetting(Model):
    """One setting of the whole site, the same for every host (the school's time zone, ...)."""

    __tablename__ = "site_settings"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BankMember(Model):
    """An instructor who owns or edits a bank. A bank with no members is a site bank: admins edit
    it and every instructor may set it."""

    __tablename__ = "bank_members"
    __table_args__ = (UniqueConstraint("bank_slug", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_slug: Mapped[str] = mapped_column(String(100), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: One of BANK_ROLES.
    role: Mapped[str] = mapped_column(String(10))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class BankPolicy(Model):
    """A bank's settings that live outside its file. A bank without a row has the defaults."""

    __tablename__ = "bank_policies"

    bank_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: Whether students may take its quizzes and study its cards outside their classes' assignments.
    practice: Mapped[bool] = mapped_column(default=True, server_default=true())


class PasswordReset(Model):
    """A one-time code an instructor made so that a student can set a new password."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the code: the database never holds a usable one.
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the code was spent; a spent code never works again.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RegradeLog(Model):
    """A regrade of a quiz's stored scores after its key was fixed: who, when, and what changed."""

    __tablename__ = "regrade_logs"
    __table_args__ = (Index("ix_regrade_logs_quiz", "bank_slug", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id", ondelete="SET NULL"))
    #: The assignment whose attempts were regraded (None once it was taken off the class).
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    bank_slug: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: SHA-256 of the bank whose key the scores were recomputed with.
    bank_sha256: Mapped[str] = mapped_column(String(64))
    #: Every attempt whose score changed: [{"attempt_id", "user", "old", "new", "max_old", "max_new"}].
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    instructor: Mapped[User | None] = relationship()


class RejectedAnswer(Model):
    """A learner's wording of a text question's answer that a bank's editor judged wrong: the item
    analysis of every class that sets the bank stops offering it for acceptance."""

    __tablename__ = "rejected_answers"
    __table_args__ = (UniqueConstraint("bank_slug", "question_id", "answer_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_slug: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    #: The answer as ``normalize_text`` folds it: every spelling of it is rejected at once.
    answer: Mapped[str] = mapped_column(Text)
    #: SHA-256 of ``answer``, the key that makes a rejection unique (an index cannot take any length).
    answer_sha256: Mapped[str] = mapped_column(String(64))
    rejected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rejecter: Mapped[User | None] = relationship()


class CardState(Model):
    """A learner's spaced-repetition state of one flashcard (FSRS), keyed by bank and card id."""

    __tablename__ = "card_states"
    __table_args__ = (
        UniqueConstraint("user_id", "bank_slug", "card_id"),
        # The next card is one range scan of this index: the learner's earliest due card.
        Index("ix_card_states_due", "user_id", "retired", "due"),
        Index("ix_card_states_bank_due", "user_id", "bank_slug", "retired", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_slug: Mapped[str] = mapped_column(String(100))
    #: A question's id, or the id of one of the bank's own cards.
    card_id: Mapped[str] = mapped_column(String(100))
    #: FSRS state: 1 learning, 2 review, 3 relearning.
    state: Mapped[int]
    step: Mapped[int | None]
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Reviews so far; a rating form carries it, so a replayed rating changes nothing.
    reps: Mapped[int] = mapped_column(default=0)
    #: "new" (introduced by the study queue) or "missed" (a question got wrong in a quiz).
    origin: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: True once the card left its bank: it leaves the queue, its history stays.
    retired: Mapped[bool] = mapped_column(default=False)


class CardReview(Model):
    """One rating of a flashcard, kept for retention, streaks and the calendar."""

    __tablename__ = "card_reviews"
    __table_args__ = (Index("ix_card_reviews_user_time", "user_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_state_id: Mapped[int] = mapped_column(ForeignKey("card_states.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: Mapped[int]
    #: FSRS state of the card before this review (2 = a review of a learnt card, used for retention).
    state_before: Mapped[int]
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None]


#: A live game's states, in the order it goes through them.
LIVE_STATES = ("lobby", "question", "reveal", "podium", "finished")


class LiveGame(Model):
    """A quiz played together, live: the host advances it, and every player answers each question
    against the server's clock. Every change of state is a conditional UPDATE on ``version``."""

    __tablename__ = "live_games"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What players type to join (6 digits); None once finished, so that PINs can be used again.
    pin: Mapped[str | None] = mapped_column(String(6), unique=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The class whose students alone may join; None: an open game, anyone with the PIN.
    classroom_id: Mapped[int | None] = mapped_column(
        ForeignKey("classrooms.id", ondelete="CASCADE"), index=True
    )
    #: The class's setting of the quiz the game counts for in the gradebook (None: counts for none).
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    bank_slug: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    quiz_title: Mapped[str] = mapped_column(String(300))
    #: SHA-256 of the bank file when the game began; scores never follow later edits.
    bank_sha256: Mapped[str] = mapped_column(String(64))
    #: Every question played, ``Question.snapshot()`` in the order played, choices in the order
    #: shown, with its key: only the server reads the key.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: {"seconds": int, "auto_advance": bool, "streak_bonus": bool, "counts": bool}
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: One of LIVE_STATES.
    state: Mapped[str] = mapped_column(String(10), default="lobby", server_default="lobby")
    #: The question open or last shown (0-based); -1 in the lobby.
    position: Mapped[int] = mapped_column(default=-1, server_default="-1")
    #: The open question's window, by the server's clock; answers after ``closes_at`` score nothing.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: One more at every change of state: a change names the version it saw, so of two hosts (or
    #: processes) advancing at once only one does.
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host: Mapped[User] = relationship()
    classroom: Mapped[Classroom | None] = relationship()
    assignment: Mapped[Assignment | None] = relationship()

    def shown_question(self, position: int) -> Question:
        return from_snapshot(self.questions[position])


class LivePlayer(Model):
    """Someone playing a live game: a student of its class, or a nickname in an open game."""

    __tablename__ = "live_players"
    __table_args__ = (
        # Named: the convention would call both after their first column.
        UniqueConstraint("game_id", "nickname_key", name="uq_live_players_nickname_key"),
        # Many players without an account: NULLs never clash in a unique constraint.
        UniqueConstraint("game_id", "user_id", name="uq_live_players_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("live_games.id", ondelete="CASCADE"))
    #: None for a player of an open game who has no account (or did not log in).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nickname: Mapped[str] = mapped_column(String(20))
    #: ``nickname`` folded (NFKC, case, accents): two players never look alike on the board.
    nickname_key: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Fully correct answers in a row, up to the last question closed.
    streak: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Kicked by the host: their token no longer works, and they cannot join again.
    kicked: Mapped[bool] = mapped_column(default=False, server_default=false())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    game: Mapped[LiveGame] = relationship()
    user: Mapped[User | None] = relationship()


class LiveAnswer(Model):
    """One player's answer to one question of a live game: the first one counts."""

    __tablename__ = "live_answers"
    __table_args__ = (
        UniqueConstraint("player_id", "position"),
        Index("ix_live_answers_game_position", "game_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("live_games.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("live_players.id", ondelete="CASCADE"))
    #: The question's place in the game (0-based).
    position: Mapped[int]
    #: The response as its question type reads it (a choice's text, a list, a bool, a number, text).
    answer: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    #: When it reached the server, by the server's clock.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: From the question's opening to ``received_at``.
    elapsed_ms: Mapped[int]
    #: "correct", "partial", "wrong" or "late".
    outcome: Mapped[str] = mapped_column(String(12))
    points: Mapped[int] = mapped_column(default=0)

    player: Mapped[LivePlayer] = relationship()
