"""Live games as operations: the only code that writes games, players and their answers.

The database holds the game's truth. Every change of a game's state names the version it saw and
is one conditional UPDATE, so of two host tabs (or two processes) advancing at once only one does,
and a process that restarts carries on from the question the database says is open. Answers are
timed by the server's clock on arrival; the key stays on the server until its question closes.
"""

from __future__ import annotations

import dataclasses
import random
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import CursorResult, Select, and_, case, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp import clock
from quizapp.access import may_assign_bank
from quizapp.banks import Bank, Quiz
from quizapp.banks.model import citation_label, citations_text
from quizapp.classrooms.operations import is_enrolled
from quizapp.database import write_transaction
from quizapp.extensions import bank_registry, db
from quizapp.grades.exports import Kind, Table, Value
from quizapp.live import scoring
from quizapp.models import Assignment, Attempt, Classroom, LiveAnswer, LiveGame, LivePlayer, Response, User
from quizapp.people import Person
from quizapp.questions import QUESTION_TYPES, Question, ResponseError, from_snapshot
from quizapp.study.operations import queue_missed


class LiveRefused(Exception):
    """A live-game operation refused; the message says why, in the user's terms."""


class LiveNotFound(LiveRefused):
    """No such game, or not one of the asker's: pages answer 404."""


#: The question types live mode plays, as each type declares (``Question.played_live``): single and
#: multiple choice, true/false, short text and numeric, each answered by a tap or a typed line.
#: Ordering and matching are left out, and the host is told which; ``playable`` is the one place
#: that asks.
LIVE_TYPES = tuple(name for name, kind in QUESTION_TYPES.items() if kind.played_live)

#: The seconds a host may give each question.
MIN_SECONDS, MAX_SECONDS = 5, 240
#: A nickname's length, in characters as typed (after NFKC).
NICKNAME_LENGTH = 20
PIN_DIGITS = 6
#: What a player's token is signed for: nothing else signed with the app's key passes as one.
TOKEN_SALT = "live-player"  # noqa: S105 - a salt, public by design
#: How a player's outcome reads when they sent nothing before the question closed.
NO_ANSWER = "none"

STALE = "The game has moved on (in another window, perhaps): this screen now shows where it is."
OVER = "This game is over."


# -- the questions played ---------------------------------------------------------------------


def playable(quiz: Quiz, bank: Bank) -> tuple[list[Question], list[Question]]:
    """The quiz's questions live mode plays, and those it leaves out (ordering, matching), in the
    quiz's order."""
    pool = quiz.pool(bank.questions)
    return [q for q in pool if q.type in LIVE_TYPES], [q for q in pool if q.type not in LIVE_TYPES]


def public_question(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """What players may see of a question while it is open: its prompt and what its type shows
    a phone (``Question.live_shown``: the options to tap, a unit), never its key, explanation,
    feedback, tolerance, source or id. Every question sent to a player or a projector before it
    closes is built here."""
    question = from_snapshot(snapshot)
    return {"type": question.type, "prompt": question.prompt, **question.live_shown()}


def _draw(bank: Bank, quiz: Quiz, rng: random.Random) -> list[Question]:
    """The questions a game plays, drawn as an attempt draws them (the quiz's count, order and
    shuffling) from the playable ones."""
    played, _left_out = playable(quiz, bank)
    ids = tuple(q.id for q in played)
    return _quiz_of(quiz, ids).draw({q.id: q for q in played}, rng)


def _quiz_of(quiz: Quiz, ids: tuple[str, ...]) -> Quiz:
    # A quiz that selects by tag still selects among ``ids`` only, in the bank's order.
    return dataclasses.replace(quiz, question_ids=ids) if quiz.question_ids is not None else quiz


# -- starting and joining ---------------------------------------------------------------------


def settings_of(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A game's settings from the host's choices, with the defaults for those not given."""
    seconds = settings.get("seconds", current_app.config["LIVE_QUESTION_SECONDS"])
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise LiveRefused(f"Give each question between {MIN_SECONDS} and {MAX_SECONDS} seconds.")
    return {
        "seconds": seconds,
        "auto_advance": bool(settings.get("auto_advance", False)),
        "streak_bonus": bool(settings.get("streak_bonus", True)),
        "counts": bool(settings.get("counts", False)),
    }


def create_game(
    host: Person,
    bank: Bank,
    quiz: Quiz,
    classroom: Classroom | None,
    settings: Mapping[str, Any],
    assignment: Assignment | None,
    *,
    rng: random.Random | None = None,
) -> LiveGame:
    """A new game of ``quiz`` in its lobby, with a fresh PIN: for ``classroom``'s students (the
    host's own class), or open to anyone with the PIN (``classroom`` None). It counts in the
    class's gradebook, as an attempt in ``assignment``, only when ``settings["counts"]`` and the
    quiz is set for that class there. The questions are drawn now, choices shuffled as the quiz
    says, and kept whole in the game: later edits of the bank change nothing in it."""
    if not may_assign_bank(host, bank.slug):
        raise LiveNotFound("There is no such quiz among those you may set.")
    if classroom is not None and classroom.instructor_id != host.id:
        raise LiveRefused("You can start a class game for your own classes only.")
    chosen = settings_of(settings)
    if chosen["counts"]:
        if (
            classroom is None
            or assignment is None
            or (assignment.classroom_id, assignment.bank_slug, assignment.quiz_id)
            != (classroom.id, bank.slug, quiz.id)
        ):
            raise LiveRefused(
                "A game counts in the gradebook only when it is played by a class that has this quiz set."
            )
    else:
        assignment = None
    questions = _draw(bank, quiz, rng or random.Random())  # noqa: S311 - the order needs no secrecy
    if not questions:
        raise LiveRefused(
            "This quiz has no question live mode can play: it plays single and multiple choice, "
            "true/false, short text and numeric questions."
        )
    for _ in range(10):
        try:
            with write_transaction():
                game = LiveGame(
                    pin=_new_pin(),
                    host_id=host.id,
                    classroom_id=classroom.id if classroom else None,
                    assignment_id=assignment.id if assignment else None,
                    bank_slug=bank.slug,
                    quiz_id=quiz.id,
                    quiz_title=quiz.title,
                    bank_sha256=bank.sha256,
                    questions=[q.snapshot() for q in questions],
                    settings=chosen,
                    created_at=clock.now(),
                )
                db.session.add(game)
            return game
        except IntegrityError:
            continue  # the PIN is another game's: draw again
    raise LiveRefused("Could not find a free PIN; try again.")


def _new_pin() -> str:
    # No leading zero: a PIN read aloud or typed into a number field keeps its six digits.
    return str(secrets.randbelow(9 * 10 ** (PIN_DIGITS - 1)) + 10 ** (PIN_DIGITS - 1))


def game_by_pin(pin: str) -> LiveGame | None:
    """The game still running under ``pin`` as typed ("123 456" too), or None."""
    digits = "".join(pin.split())
    if not re.fullmatch(rf"[0-9]{{{PIN_DIGITS}}}", digits):
        return None
    return db.session.scalar(select(LiveGame).where(LiveGame.pin == digits))


def host_game(host: Person, game_id: int) -> LiveGame:
    """The game ``game_id`` if ``host`` runs it; ``LiveNotFound`` otherwise (another's game is
    not told apart from no game)."""
    game = db.session.get(LiveGame, game_id)
    if game is None or not host.is_authenticated or game.host_id != host.id:
        raise LiveNotFound("There is no such game of yours.")
    return game


def nickname_key(nickname: str) -> str:
    """How nicknames are compared: NFKC, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", nickname).casefold().split())[:40]


def _fold(text: str) -> str:
    """Text as the blocklist compares it: case and accents gone."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Characters a nickname may not hold: controls, invisible formatting (zero-width spaces, direction
#: marks), private-use, unassigned, surrogates, and line or paragraph breaks.
_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
_LETTERS = re.compile(r"[^\W\d_]+")
#: A blocked word this long or longer is refused inside a nickname of letters only ("TheBadWordKid");
#: a shorter one only as a word of its own, since short words hide in names.
_INSIDE_FROM = 4


def clean_nickname(typed: str | None, blocklist: Sequence[str]) -> str:
    """A nickname as typed, checked: 1 to 20 characters once spaces at its ends are dropped, no
    control or invisible characters, and none of ``blocklist``'s words (in any case or accents,
    as a word, or, for a word of 4 letters or more, anywhere in a nickname of letters only)."""
    nickname = unicodedata.normalize("NFKC", typed or "").strip()
    if any(unicodedata.category(ch) in _HIDDEN for ch in nickname):
        raise LiveRefused(
            "Your nickname holds a character that does not show (a control or invisible character): "
            "type it again with letters, digits, spaces and punctuation."
        )
    nickname = " ".join(nickname.split())
    if not nickname:
        raise LiveRefused("Choose a nickname to play under.")
    if len(nickname) > NICKNAME_LENGTH:
        raise LiveRefused(f"Keep your nickname to {NICKNAME_LENGTH} characters or fewer.")
    folded = _fold(nickname)
    blocked = {_fold(word) for word in blocklist if word.strip()}
    words = set(_LETTERS.findall(folded))
    # Inside a run of letters only for words of 4 letters or more: "ass" would refuse "Cassandra".
    inside = [word for word in blocked if len(word) >= _INSIDE_FROM]
    if words & blocked or (folded.isalpha() and any(word in folded for word in inside)):
        raise LiveRefused("That nickname is not allowed here: choose another.")
    return nickname


def _shown_name(user: User) -> str:
    name = " ".join(user.display_name.split())
    return name if len(name) <= NICKNAME_LENGTH else name[: NICKNAME_LENGTH - 1] + "…"


def join(game: LiveGame, user: Person | None, nickname: str | None, now: datetime) -> LivePlayer:
    """Put someone in ``game``, in its lobby or while it runs: a class game takes the class's
    students only, under their name; an open game anyone, under a nickname that passes
    ``clean_nickname`` and is nobody else's in the game. Someone signed in who joins again gets
    their own player back (score, answers and all); a player the host kicked is refused."""
    if game.state in ("podium", "finished"):
        raise LiveRefused(OVER)
    account = user if user is not None and user.is_authenticated else None
    if account is not None:
        mine = db.session.scalar(
            select(LivePlayer).where(LivePlayer.game_id == game.id, LivePlayer.user_id == account.id)
        )
        if mine is not None:
            if mine.kicked:
                raise LiveRefused("The host took you out of this game.")
            return mine
    if game.classroom_id is not None:
        classroom = db.session.get_one(Classroom, game.classroom_id)
        if account is None:
            raise LiveRefused(f"This game is for the students of {classroom.name}: log in to join it.")
        if not is_enrolled(classroom, account):
            raise LiveRefused(f"This game is for the students of {classroom.name}, and you are not one.")
        name = _shown_name(db.session.get_one(User, account.id))
        # Two students may share a name; the board tells them apart by place, not by name.
        key = f"#{account.id}"
    else:
        name = clean_nickname(nickname, current_app.config["LIVE_NICKNAME_BLOCKLIST"])
        key = nickname_key(name)
    try:
        # The game and the new player stay as read and written: the phone's view is made from them next.
        with write_transaction(expire=False):
            player = LivePlayer(
                game_id=game.id,
                user_id=account.id if account else None,
                nickname=name,
                nickname_key=key,
                joined_at=now,
            )
            db.session.add(player)
    except IntegrityError:
        if account is not None:
            again = db.session.scalar(
                select(LivePlayer).where(LivePlayer.game_id == game.id, LivePlayer.user_id == account.id)
            )
            if again is not None and not again.kicked:
                return again  # the same person joined twice at once (two tabs)
        taken = db.session.scalar(
            select(LivePlayer.nickname).where(LivePlayer.game_id == game.id, LivePlayer.nickname_key == key)
        )
        raise LiveRefused(
            f"Someone in this game already plays as {taken or name}: choose another nickname."
        ) from None
    return player


def _serializer() -> URLSafeSerializer:
    # Signed with the secret key, and accepted under the keys a rotation retired (config.py).
    config = current_app.config
    return URLSafeSerializer([*config["SECRET_KEY_FALLBACKS"], config["SECRET_KEY"]], salt=TOKEN_SALT)


def player_token(player: LivePlayer) -> str:
    """What a player's phone keeps to come back as the same player after a drop or a reload."""
    return _serializer().dumps({"player": player.id, "game": player.game_id})


def player_from_token(token: str) -> LivePlayer | None:
    """The player a token was made for, or None (a forged or foreign token, a player kicked or gone)."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("player"), int):
        return None
    player = db.session.get(LivePlayer, data["player"])
    if player is None or player.kicked or player.game_id != data.get("game"):
        return None
    return player


def kick(game: LiveGame, player_id: int) -> None:
    """Take a player out of the game: their token stops working, they leave the board, and they
    cannot join again under their account (their answers stay in the record)."""
    with write_transaction():
        changed = cast(
            CursorResult[Any],
            db.session.execute(
                update(LivePlayer)
                .where(LivePlayer.id == player_id, LivePlayer.game_id == game.id)
                .values(kicked=True)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
    if not changed:
        raise LiveRefused("That player is not in this game.")


# -- the game's states ------------------------------------------------------------------------


def advance(game: LiveGame, expected_version: int, now: datetime) -> LiveGame:
    """Move the game on from the state the host saw (``expected_version``): the lobby to the first
    question; an open question to its reveal (closing it now, even before its time is up); a
    reveal to the next question, or to the podium after the last; the podium to the end
    (``finish``). A host who saw an older version is refused, changing nothing."""
    for _ in range(3):
        try:
            with write_transaction():
                current = _fresh(game.id)
                if current.version != expected_version:
                    raise LiveRefused(STALE)
                if current.state == "lobby":
                    _open(current, 0, now)
                elif current.state == "question":
                    _close(current, now)
                elif current.state == "reveal":
                    if current.position + 1 < len(current.questions):
                        _open(current, current.position + 1, now)
                    else:
                        _change(current, state="podium")
                elif current.state == "podium":
                    _finish(current, now)
                else:
                    raise LiveRefused(OVER)
            return current
        except IntegrityError:
            continue  # a learner's attempt took the number a counted game's attempt wanted: again
    raise LiveRefused("The game's results could not be recorded just now; try again.")


def finish(game: LiveGame, now: datetime) -> LiveGame:
    """End a game on its podium and record it (``advance`` from the podium does this): its PIN is
    freed; a counted class game adds one submitted attempt per class player to its assignment,
    graded from the questions as played; every player with an account gets the questions they
    missed in their flashcard queue, due now, as quiz misses do."""
    if game.state != "podium":
        raise LiveRefused("A game ends from its podium, after its last question.")
    return advance(game, game.version, now)


def end(game: LiveGame, expected_version: int, now: datetime) -> LiveGame:
    """End the game before its last question, as the host chooses (the bell rang): from the lobby
    it is called off, its PIN freed, with nothing played and nothing recorded; after a question's
    reveal it goes to the podium with the questions played so far, which are all that ``finish``
    then records (``played``). An open question is closed first, by the host (its answers are
    still arriving)."""
    with write_transaction():
        current = _fresh(game.id)
        if current.version != expected_version:
            raise LiveRefused(STALE)
        if current.state == "lobby":
            _mark_finished(current, now)
        elif current.state == "reveal":
            _change(current, state="podium")
        elif current.state == "question":
            raise LiveRefused("Close the question first: its answers are still arriving.")
        elif current.state == "podium":
            raise LiveRefused("The game is at its podium: finish it to keep its results.")
        else:
            raise LiveRefused(OVER)
    return current


def end_abandoned(now: datetime, hours: float) -> list[int]:
    """End every game left untouched for ``hours`` (its host gone without ending it), so that its
    PIN is free again and what was played is kept: one still in its lobby is called off; any
    other goes to its podium and is finished there, recording the questions played, as its host
    would have (``finish``). Returns the games ended."""
    cutoff = now - timedelta(hours=hours)
    idle = db.session.execute(
        select(LiveGame.id, LiveGame.version).where(
            LiveGame.state != "finished", func.coalesce(LiveGame.closes_at, LiveGame.created_at) < cutoff
        )
    ).all()
    ended = []
    for game_id, version in idle:
        try:
            with write_transaction():
                current = _fresh(game_id)
                if current.version != version:
                    continue  # its host came back meanwhile
                if current.state == "lobby":
                    _mark_finished(current, now)
                else:
                    if current.state == "question":
                        _close(current, now)
                    if current.state == "reveal":
                        _change(current, state="podium")
                    _finish(current, now)
        except (LiveRefused, IntegrityError):
            continue  # moved on elsewhere, or an attempt number taken: the next sweep tries again
        ended.append(game_id)
    return ended


def close_due(now: datetime) -> list[int]:
    """Close every open question whose time is up (the timer calls this when a question's time
    ends, and every process at its start, so a question left open by a restart closes); returns
    the games closed. Closing twice changes nothing."""
    due = db.session.execute(
        select(LiveGame.id, LiveGame.version).where(LiveGame.state == "question", LiveGame.closes_at <= now)
    ).all()
    closed = []
    for game_id, version in due:
        with write_transaction():
            current = _fresh(game_id)
            done = current.version == version and current.state == "question"
            if done:
                _close(current, now)
        if done:
            closed.append(game_id)
    return closed


def _fresh(game_id: int) -> LiveGame:
    return db.session.get_one(LiveGame, game_id, populate_existing=True)


def _change(game: LiveGame, **values: Any) -> None:
    """One conditional UPDATE of the game from the version read: none if another got there first."""
    changed = cast(
        CursorResult[Any],
        db.session.execute(
            update(LiveGame)
            .where(LiveGame.id == game.id, LiveGame.version == game.version)
            .values(version=game.version + 1, **values)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if not changed:
        raise LiveRefused(STALE)
    db.session.refresh(game)


def _open(game: LiveGame, position: int, now: datetime) -> None:
    closes = now + timedelta(seconds=game.settings["seconds"])
    _change(game, state="question", position=position, opened_at=now, closes_at=closes)


def _close(game: LiveGame, now: datetime) -> None:
    """Close the open question and add its points to the players' scores. The game's row is
    changed first: an answer arriving meanwhile waits for it (``answer`` reads the game under a
    shared lock) and is then late, so no answer is stored after its points were added up."""
    closes_at = game.closes_at if game.closes_at is not None and game.closes_at <= now else now
    _change(game, state="reveal", closes_at=closes_at)
    this_one = and_(LiveAnswer.player_id == LivePlayer.id, LiveAnswer.position == game.position)
    earned = select(LiveAnswer.points).where(this_one).scalar_subquery()
    right = exists().where(this_one, LiveAnswer.outcome == "correct")
    db.session.execute(
        update(LivePlayer)
        .where(LivePlayer.game_id == game.id)
        .values(
            score=LivePlayer.score + func.coalesce(earned, 0),
            streak=case((right, LivePlayer.streak + 1), else_=0),
        )
        .execution_options(synchronize_session=False)
    )


def _mark_finished(game: LiveGame, now: datetime) -> None:
    """Mark the game finished, its PIN freed for another game; it records nothing (``_finish`` does)."""
    _change(game, state="finished", pin=None, finished_at=now)


def _finish(game: LiveGame, now: datetime) -> None:
    _mark_finished(game, now)
    players = list(db.session.scalars(select(LivePlayer).where(LivePlayer.game_id == game.id)))
    answers: dict[int, dict[int, LiveAnswer]] = {}
    for answer in db.session.scalars(select(LiveAnswer).where(LiveAnswer.game_id == game.id)):
        answers.setdefault(answer.player_id, {})[answer.position] = answer
    questions = played(game)
    counted = game.settings.get("counts") and game.assignment_id is not None and game.classroom_id is not None
    for player in players:
        if player.user_id is None or player.kicked:
            continue
        theirs = answers.get(player.id, {})
        if counted:
            _record_attempt(game, player.user_id, questions, theirs, now)
        queue_missed(player.user_id, game.bank_slug, _missed(questions, theirs), now)


def _missed(questions: Sequence[Question], theirs: Mapping[int, LiveAnswer]) -> list[str]:
    """The questions a player missed: from the first they answered on (before it, they may not
    have been in the game yet), every one not answered fully right in time."""
    if not theirs:
        return []
    first = min(theirs)
    return [
        q.id
        for position, q in enumerate(questions)
        if position >= first and (position not in theirs or theirs[position].outcome != "correct")
    ]


def _record_attempt(
    game: LiveGame,
    user_id: int,
    questions: Sequence[Question],
    theirs: Mapping[int, LiveAnswer],
    now: datetime,
) -> None:
    """One submitted attempt of a counted game's player, graded as a quiz is: an answer sent too
    late counts as unanswered."""
    before = db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.user_id == user_id, Attempt.bank_slug == game.bank_slug, Attempt.quiz_id == game.quiz_id
        )
    )
    responses = []
    for position, question in enumerate(questions):
        sent = theirs.get(position)
        response = sent.answer if sent is not None and sent.outcome != "late" else None
        result = question.grade(response)
        responses.append(
            Response(
                position=position,
                question_id=question.id,
                question_type=question.type,
                question=game.questions[position],
                answer=response,
                points=result.points,
                max_points=result.max_points,
                outcome=result.outcome,
            )
        )
    db.session.add(
        Attempt(
            user_id=user_id,
            bank_slug=game.bank_slug,
            quiz_id=game.quiz_id,
            assignment_id=game.assignment_id,
            number=(before or 0) + 1,
            quiz_title=game.quiz_title,
            bank_sha256=game.bank_sha256,
            started_at=game.created_at,
            submitted_at=now,
            score=round(sum(r.points or 0.0 for r in responses), 6),
            max_score=sum(r.max_points for r in responses),
            time_limit=None,
            responses=responses,
        )
    )
    db.session.flush()


# -- answers ----------------------------------------------------------------------------------


def read_answer(question: Question, raw: Any) -> Any:
    """A phone's answer as the question's type reads it (``Question.live_response``): a choice's
    index, a list of indexes, true or false, a typed text or number. ``LiveRefused`` says what to
    fix."""
    try:
        response = question.live_response(raw)
    except ResponseError as exc:
        raise LiveRefused(str(exc)) from None
    if response is None:
        raise LiveRefused("Type your answer before sending it.")
    return response


@dataclasses.dataclass(frozen=True)
class Seat:
    """A player as their connection knows them, without reading their row: their id and game's."""

    id: int
    game_id: int


def answer(player: LivePlayer | Seat, position: int, raw: Any, now: datetime) -> LiveAnswer:
    """Take a player's answer to the question at ``position``, timed now, on arrival. It scores by
    the question's own grading and its speed (``scoring.points``, and the streak bonus if the game
    has it); one sent after the question closed, or to a question shown before, is kept as "late"
    and scores nothing. Refused: a player kicked or not in the game, a second answer (the first
    counts), an answer to a question not shown yet, and one the question cannot read (the message
    says what to fix; nothing is kept). One write transaction of two statements: the game, the
    player and the question read together, then the answer stored, which is returned as stored
    (reading it costs no query)."""
    player_id, game_id = player.id, player.game_id
    try:
        with write_transaction(expire=False):
            # Shared: answers go on side by side, but wait while the question is being closed. A
            # negative position is refused below; reading question 0 meanwhile keeps the JSON path valid.
            found = db.session.execute(
                select(
                    LiveGame.state,
                    LiveGame.position,
                    LiveGame.opened_at,
                    LiveGame.closes_at,
                    LiveGame.settings,
                    LiveGame.questions[max(position, 0)],
                    LivePlayer.kicked,
                    LivePlayer.streak,
                )
                .join(LivePlayer, LivePlayer.game_id == LiveGame.id)
                .where(LiveGame.id == game_id, LivePlayer.id == player_id)
                .with_for_update(read=True, of=LiveGame)
            ).one_or_none()
            if found is None:
                raise LiveRefused("You are no longer in this game. Join again with the PIN.")
            state, current, opened_at, closes_at, settings, snapshot, kicked, streak = found
            if kicked:
                raise LiveRefused("The host took you out of this game.")
            if state in ("podium", "finished"):
                raise LiveRefused(OVER)
            if state == "lobby" or not 0 <= position <= current or snapshot is None:
                raise LiveRefused("That question is not open.")
            question = from_snapshot(snapshot)
            response = read_answer(question, raw)
            on_time = (
                state == "question"
                and current == position
                and opened_at is not None
                and closes_at is not None
                and now <= closes_at
            )
            elapsed = (now - opened_at).total_seconds() if current == position and opened_at else 0.0
            outcome, points = "late", 0
            if on_time:
                result = question.grade(response)
                fraction = (
                    result.points / result.max_points
                    if result.max_points
                    else float(result.outcome == "correct")
                )
                outcome = result.outcome
                points = scoring.points(fraction, elapsed, settings["seconds"])
                if outcome == "correct" and settings.get("streak_bonus"):
                    # Right answers in a row up to the last question closed (``_close`` counts them).
                    points += scoring.streak_bonus(streak + 1)
            sent = LiveAnswer(
                game_id=game_id,
                player_id=player_id,
                position=position,
                answer=response,
                received_at=now,
                elapsed_ms=max(0, round(elapsed * 1000)),
                outcome=outcome,
                points=points,
            )
            db.session.add(sent)
    except IntegrityError:
        raise LiveRefused("You have answered this question already: your first answer counts.") from None
    return sent


def _counts(game_id: Any, position: Any) -> tuple[Select[int], Select[int]]:
    """The two counts of a game's open question, as queries: its players who answered the question
    at ``position``, and its players still in the game (``game_id`` and ``position`` values, or the
    game row's columns for a correlated subquery)."""
    answered = (
        select(func.count())
        .select_from(LiveAnswer)
        .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
        .where(LiveAnswer.game_id == game_id, LiveAnswer.position == position, LivePlayer.kicked.is_(False))
    )
    playing = (
        select(func.count())
        .select_from(LivePlayer)
        .where(LivePlayer.game_id == game_id, LivePlayer.kicked.is_(False))
    )
    return answered, playing


def answer_count(game: LiveGame) -> tuple[int, int]:
    """How many players in the game have answered the question shown now, and how many play."""
    answered, playing = _counts(game.id, game.position)
    return db.session.scalar(answered) or 0, db.session.scalar(playing) or 0


@dataclasses.dataclass(frozen=True)
class Tally:
    """Where a game is and how many of its players answered the question shown now."""

    state: str
    position: int
    version: int
    auto_advance: bool
    answered: int
    playing: int

    @property
    def all_answered(self) -> bool:
        """Whether every player answered the open question (a game with no players never has)."""
        return self.state == "question" and 0 < self.playing <= self.answered


def tally(game_id: int) -> Tally | None:
    """The game's state and count of answers, read in one statement (the host's count is sent from
    it, a few times a second while answers arrive); None if there is no such game."""
    answered, playing = (
        count.correlate(LiveGame).scalar_subquery() for count in _counts(LiveGame.id, LiveGame.position)
    )
    found = db.session.execute(
        select(
            LiveGame.state, LiveGame.position, LiveGame.version, LiveGame.settings, answered, playing
        ).where(LiveGame.id == game_id)
    ).one_or_none()
    if found is None:
        return None
    state, position, version, settings, answered_n, playing_n = found
    return Tally(state, position, version, bool(settings.get("auto_advance")), answered_n, playing_n)


# -- standings --------------------------------------------------------------------------------


def _standing(game: LiveGame) -> list[tuple[int, LivePlayer]]:
    """Every player still in the game with their place: highest score first, equal scores sharing
    a place (1, 2, 2, 4), the earlier to join listed first."""
    players = db.session.scalars(
        select(LivePlayer)
        .where(LivePlayer.game_id == game.id, LivePlayer.kicked.is_(False))
        .order_by(LivePlayer.score.desc(), LivePlayer.joined_at, LivePlayer.id)
    )
    out: list[tuple[int, LivePlayer]] = []
    for i, player in enumerate(players):
        rank = out[-1][0] if out and out[-1][1].score == player.score else i + 1
        out.append((rank, player))
    return out


def ranks(game: LiveGame) -> dict[int, tuple[int, int]]:
    """Each player's place and score, by player id."""
    return {player.id: (rank, player.score) for rank, player in _standing(game)}


def leaderboard(game: LiveGame, n: int = 5) -> list[dict[str, Any]]:
    """The first ``n`` players: place, id, nickname and score."""
    return [
        {"rank": rank, "id": p.id, "nickname": p.nickname, "score": p.score}
        for rank, p in _standing(game)[:n]
    ]


def players(game: LiveGame) -> list[dict[str, Any]]:
    """The players in the game, in the order they joined."""
    found = db.session.scalars(
        select(LivePlayer)
        .where(LivePlayer.game_id == game.id, LivePlayer.kicked.is_(False))
        .order_by(LivePlayer.joined_at, LivePlayer.id)
    )
    return [{"id": p.id, "nickname": p.nickname} for p in found]


# -- what screens show ------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def question_payload(game: LiveGame) -> dict[str, Any]:
    """What goes out as a question opens, to the players and the projector: the question as
    ``public_question`` shows it, its place, its time, and the server's time now (so a phone
    whose clock is off still counts down right). No key."""
    return {
        **public_question(game.questions[game.position]),
        "position": game.position,
        "total": len(game.questions),
        "seconds": game.settings["seconds"],
        "closes_at": _iso(game.closes_at),
        "server_time": _iso(clock.now()),
    }


def _base_view(game: LiveGame) -> dict[str, Any]:
    return {
        "game": game.id,
        "state": game.state,
        "version": game.version,
        "position": game.position,
        "total": len(game.questions),
        "quiz_title": game.quiz_title,
    }


def host_view(game: LiveGame) -> dict[str, Any]:
    """What the host's screen (a projector: the room sees it) shows now: the PIN and the players;
    while a question is open, the question as players see it and the count of answers; once it
    closes, how the answers split, the key, the explanation and what it cites, and the top five;
    at the end, the podium and a summary of every question."""
    everyone = players(game)
    view = {
        **_base_view(game),
        "pin": game.pin,
        "settings": game.settings,
        "class_game": game.classroom_id is not None,
        "players": everyone,
        "count": len(everyone),
    }
    if game.state == "question":
        answered, playing = answer_count(game)
        view["question"] = question_payload(game)
        view["answers"] = {"position": game.position, "answered": answered, "total": playing}
    elif game.state == "reveal":
        view["question"] = {**public_question(game.questions[game.position]), "position": game.position}
        view["reveal"] = reveal(game, game.position)
        view["top"] = leaderboard(game, 5)
    elif game.state in ("podium", "finished"):
        view["top"] = leaderboard(game, 3)
        view["summary"] = summary(game)
    return view


def reveal(game: LiveGame, position: int) -> dict[str, Any]:
    """A closed question's answers: how they split, the key, the explanation and its citation."""
    question = game.shown_question(position)
    sent = list(
        db.session.scalars(
            select(LiveAnswer)
            .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
            .where(
                LiveAnswer.game_id == game.id, LiveAnswer.position == position, LivePlayer.kicked.is_(False)
            )
        )
    )
    in_time = [a for a in sent if a.outcome != "late"]
    outcomes = Counter(a.outcome for a in sent)
    playing = len(players(game))
    return {
        "distribution": distribution(question, [a.answer for a in in_time]),
        "outcomes": {
            "correct": outcomes["correct"],
            "partial": outcomes["partial"],
            "wrong": outcomes["wrong"],
            "late": outcomes["late"],
            NO_ANSWER: max(0, playing - len(sent)),
        },
        "answer": question.answer_text(),
        "explanation": question.explanation,
        "source": _source(game, question),
    }


def distribution(question: Question, responses: Sequence[Any]) -> list[dict[str, Any]]:
    """How the answers sent in time split: per option offered (a multi answer counts in each it
    picked), or, for typed answers, right and wrong."""
    options = question.offered()
    if options:
        picked = Counter(option for r in responses for option in question.picks(r))
        right = set(question.right_options())
        return [{"label": o, "count": picked[o], "correct": o in right} for o in options]
    graded = Counter(question.grade(r).outcome for r in responses)
    return [
        {"label": "Right", "count": graded["correct"], "correct": True},
        {"label": "Wrong", "count": graded["wrong"] + graded["partial"], "correct": False},
    ]


def _source(game: LiveGame, question: Question) -> dict[str, Any] | None:
    """What the question cites: "Paragraph 2" of the source's title (and links into it, when the
    bank still has it)."""
    if not question.source:
        return None
    bank = bank_registry().get(game.bank_slug)
    source = bank.source if bank is not None else None
    return {
        "text": citations_text(question.source),
        "title": source.title if source else None,
        "citations": [
            {"label": citation_label(c), "url": source.link(c) if source else ""} for c in question.source
        ],
    }


def played(game: LiveGame) -> list[Question]:
    """The questions the game has opened so far, in order: every one once it reaches its podium
    after the last, fewer when its host ended it early (``end``). Its summary, its record and its
    export hold these alone."""
    return [from_snapshot(q) for q in game.questions[: game.position + 1]]


def summary(game: LiveGame) -> list[dict[str, Any]]:
    """Per question played: its prompt, key, and how many answered it right, in time."""
    counts = {
        (position, outcome): n
        for position, outcome, n in db.session.execute(
            select(LiveAnswer.position, LiveAnswer.outcome, func.count())
            .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
            .where(LiveAnswer.game_id == game.id, LivePlayer.kicked.is_(False))
            .group_by(LiveAnswer.position, LiveAnswer.outcome)
        )
    }
    out = []
    for position, question in enumerate(played(game)):
        answered = sum(n for (p, _), n in counts.items() if p == position)
        out.append(
            {
                "position": position,
                "prompt": question.prompt,
                "answer": question.answer_text(),
                "correct": counts.get((position, "correct"), 0),
                "answered": answered,
            }
        )
    return out


def player_view(game: LiveGame, player: LivePlayer) -> dict[str, Any]:
    """What one player's phone shows now. While a question is open: the question as
    ``public_question`` shows it and whether they answered, never their outcome, the key or the
    explanation (their score is the one before this question). Once it closes: their outcome,
    the points it earned, their score, place and streak, and the right answer."""
    rank, playing = _place(player)
    score = player.score
    view = {
        **_base_view(game),
        "player": player.id,
        "nickname": player.nickname,
        "score": score,
        "rank": rank,
        "players": playing,
        "streak": player.streak,
    }
    if game.state == "question":
        mine = _answer_of(player, game.position)
        view["question"] = question_payload(game)
        view["answered"] = mine is not None
    elif game.state == "reveal":
        mine = _answer_of(player, game.position)
        question = game.shown_question(game.position)
        view["question"] = {**public_question(game.questions[game.position]), "position": game.position}
        view["result"] = {
            "outcome": mine.outcome if mine else NO_ANSWER,
            "points": mine.points if mine else 0,
            "score": score,
            "rank": rank,
            "streak": player.streak,
        }
        view["answer"] = question.answer_text()
        view["your_answer"] = question.response_text(mine.answer) if mine else ""
    elif game.state in ("podium", "finished"):
        view["top"] = leaderboard(game, 3)
    return view


def _place(player: LivePlayer) -> tuple[int | None, int]:
    """A player's place as ``ranks`` gives it (one more than the players with a higher score; none
    once kicked) and how many play, in one statement: a join reads no other player's row."""
    playing, ahead = db.session.execute(
        select(func.count(), func.count(case((LivePlayer.score > player.score, 1)))).where(
            LivePlayer.game_id == player.game_id, LivePlayer.kicked.is_(False)
        )
    ).one()
    return (None if player.kicked else ahead + 1), playing


def _answer_of(player: LivePlayer, position: int) -> LiveAnswer | None:
    return db.session.scalar(
        select(LiveAnswer).where(LiveAnswer.player_id == player.id, LiveAnswer.position == position)
    )


# -- the record -------------------------------------------------------------------------------


RESULTS_HEADER = [
    "Rank",
    "Nickname",
    "Username",
    "Score",
    "Question",
    "Question id",
    "Prompt",
    "Answer",
    "Outcome",
    "Points",
    "Seconds",
]
RESULTS_KINDS = [
    Kind.NUMBER,
    Kind.TEXT,
    Kind.IDENTITY,
    Kind.NUMBER,
    Kind.NUMBER,
    Kind.IDENTITY,
    Kind.TEXT,
    Kind.TEXT,
    Kind.TEXT,
    Kind.NUMBER,
    Kind.NUMBER,
]


def results_table(game: LiveGame) -> Table:
    """The game's record for a spreadsheet, as the other exports are written: one row per player
    and question played (a question a player did not answer has the outcome "none"), players in
    their final order, those kicked last without a place."""
    questions = played(game)
    standing = ranks(game)

    def rows() -> Iterator[list[Value]]:
        found = db.session.execute(
            select(LivePlayer, User.username)
            .outerjoin(User, User.id == LivePlayer.user_id)
            .where(LivePlayer.game_id == game.id)
            .order_by(LivePlayer.kicked, LivePlayer.score.desc(), LivePlayer.joined_at, LivePlayer.id)
        ).all()
        sent: dict[tuple[int, int], LiveAnswer] = {
            (a.player_id, a.position): a
            for a in db.session.scalars(select(LiveAnswer).where(LiveAnswer.game_id == game.id))
        }
        for player, username in found:
            rank = None if player.kicked else standing[player.id][0]
            for position, question in enumerate(questions):
                mine = sent.get((player.id, position))
                yield [
                    rank,
                    player.nickname,
                    username,
                    player.score,
                    position + 1,
                    question.id,
                    question.prompt,
                    question.response_text(mine.answer) if mine else None,
                    mine.outcome if mine else NO_ANSWER,
                    mine.points if mine else 0,
                    round(mine.elapsed_ms / 1000, 3) if mine else None,
                ]

    return Table(RESULTS_HEADER, rows(), RESULTS_KINDS)
