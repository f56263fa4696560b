"""The live game's pages: the host's start form and projector screen, the players' join form and
phone screen, and the results with their CSV file.

The screens are drawn here and kept up to date by quizapp/static/live.js over Socket.IO
(quizapp/live/events.py): the host's stage is this module's fragment, fetched again at each change
of state; a phone draws each question from the broadcast, which never holds its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from quizapp import charts
from quizapp.access import ANYONE, INSTRUCTOR, allow, every_bank_members, may_assign_bank
from quizapp.banks import Bank, Quiz
from quizapp.classrooms.operations import is_enrolled
from quizapp.downloads import download
from quizapp.extensions import bank_registry, db, limit_misses
from quizapp.grades.exports import write_csv
from quizapp.live.forms import NewGameForm, PinForm
from quizapp.live.operations import (
    LiveNotFound,
    LiveRefused,
    create_game,
    game_by_pin,
    host_game,
    host_view,
    playable,
    players,
    ranks,
    results_table,
    summary,
)
from quizapp.models import Assignment, Classroom, LiveAnswer, LiveGame, LivePlayer

bp = Blueprint("live", __name__, url_prefix="/live", template_folder="templates")

#: The shape beside each choice, in order, so that no choice is told from another by colour alone.
SHAPES = ("▲", "◆", "●", "■")
SHAPE_NAMES = ("triangle", "diamond", "circle", "square")


@bp.context_processor
def page_context() -> dict[str, object]:
    return {"shapes": SHAPES, "shape_names": SHAPE_NAMES, "socket_port": socket_port()}


def socket_port() -> int | None:
    """The port of this host where the live pages' script opens its connection, or None for the
    page's own origin. `make serve` serves pages and live connections on two ports (LIVE_SOCKET_PORT
    the second); behind a trusted proxy (TRUSTED_PROXIES), which routes /socket.io/ to that port
    itself (docs/nginx.conf), and on `make run`'s one server, the page's own origin serves both."""
    if int(current_app.config["TRUSTED_PROXIES"]):
        return None
    port = current_app.config["LIVE_SOCKET_PORT"]
    return int(port) if port else None


@bp.after_request
def allow_socket_port(response: Response) -> Response:
    """Let the live pages' script connect to the live port (``socket_port``), which the site's
    Content-Security-Policy, "this origin only", would otherwise refuse: its long polling over
    HTTP(S) and its WebSocket, on this host only."""
    if port := socket_port():
        host = urlsplit(f"//{request.host}").hostname
        secure = request.scheme == "https"
        g.connect_src = [
            f"{'https' if secure else 'http'}://{host}:{port}",
            f"{'wss' if secure else 'ws'}://{host}:{port}",
        ]
    return response


# --- the host ------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@allow(INSTRUCTOR)
def new_game() -> ResponseReturnValue:
    """Start a live game of the quiz in ``?bank=&quiz=``; without one, choose a quiz."""
    slug, quiz_id = request.args.get("bank"), request.args.get("quiz")
    if slug is None and quiz_id is None:
        return render_template("live/choose.html", banks=hostable_banks(), games=hosted_games())
    bank, quiz = hostable_quiz(slug or "", quiz_id or "")
    form = new_game_form(bank, quiz)
    played, left_out = playable(quiz, bank)
    if form.validate_on_submit():
        classroom = own_classes().get(form.classroom.data)
        try:
            game = create_game(
                current_user,
                bank,
                quiz,
                classroom,
                {
                    "seconds": form.seconds.data,
                    "auto_advance": form.auto_advance.data,
                    "streak_bonus": form.streak_bonus.data,
                    "counts": form.counts.data,
                },
                class_setting(classroom, bank.slug, quiz.id) if form.counts.data and classroom else None,
            )
        except LiveRefused as exc:
            flash(str(exc), "error")
        else:
            return redirect(url_for("live.host", game_id=game.id))
    status = 422 if request.method == "POST" else 200
    page = render_template("live/new.html", bank=bank, quiz=quiz, form=form, played=played, left_out=left_out)
    return page, status


def hostable_banks() -> list[Bank]:
    """The banks whose quizzes the current instructor may play live: those they may set."""
    everyone = every_bank_members()
    return [
        bank
        for bank in bank_registry().banks()
        if may_assign_bank(current_user, bank.slug, everyone.get(bank.slug, {}))
    ]


def hosted_games(limit: int = 20) -> list[LiveGame]:
    """The current instructor's latest games, to go back to one running or to its results."""
    return list(
        db.session.scalars(
            select(LiveGame)
            .where(LiveGame.host_id == current_user.id)
            .order_by(LiveGame.created_at.desc(), LiveGame.id.desc())
            .limit(limit)
        )
    )


def hostable_quiz(slug: str, quiz_id: str) -> tuple[Bank, Quiz]:
    """A quiz the current instructor may play live (one they may set for a class), else 404."""
    bank = bank_registry().get(slug)
    if bank is None or quiz_id not in bank.quizzes or not may_assign_bank(current_user, slug):
        abort(404)
    return bank, bank.quizzes[quiz_id]


def own_classes() -> dict[str, Classroom]:
    """The current instructor's classes, by id as the start form's select names them."""
    classes = db.session.scalars(
        select(Classroom).where(Classroom.instructor_id == current_user.id).order_by(Classroom.name)
    )
    return {str(c.id): c for c in classes}


def class_setting(classroom: Classroom, slug: str, quiz_id: str) -> Assignment | None:
    """The class's setting of the quiz, which a counted game's attempts belong to."""
    return db.session.scalar(
        select(Assignment).where(
            Assignment.classroom_id == classroom.id,
            Assignment.bank_slug == slug,
            Assignment.quiz_id == quiz_id,
        )
    )


def new_game_form(bank: Bank, quiz: Quiz) -> NewGameForm:
    """The start form, offering the host's own classes (the one in ``?class=`` chosen)."""
    classes = own_classes()
    form = NewGameForm(
        classroom=request.args.get("class", ""), seconds=current_app.config["LIVE_QUESTION_SECONDS"]
    )
    form.classroom.choices = [("", "Open game: anyone with the PIN, by nickname")] + [
        (key, f"{c.name} (class game)") for key, c in classes.items()
    ]
    form.set_for = frozenset(
        key for key, c in classes.items() if class_setting(c, bank.slug, quiz.id) is not None
    )
    return form


@bp.get("/<id:game_id>/host")
@allow(INSTRUCTOR)
def host(game_id: int) -> ResponseReturnValue:
    """The projector's screen: the PIN and QR code, the players, then each question."""
    game = own_game(game_id)
    join_url = url_for("live.join_pin", pin=game.pin, _external=True) if game.pin else None
    qr = (
        charts.qr_code(join_url, f"QR code of {join_url}, to join the game with PIN {spaced(game.pin)}")
        if join_url and game.pin
        else None
    )
    return render_template(
        "live/host.html", game=game, join_url=join_url, qr=qr, players=players(game), **stage(game)
    )


@bp.get("/<id:game_id>/host/stage")
@allow(INSTRUCTOR)
def host_stage(game_id: int) -> ResponseReturnValue:
    """The host screen's part that changes with the game's state, for live.js to swap in."""
    game = own_game(game_id)
    return render_template("live/_stage.html", game=game, **stage(game))


@dataclass(frozen=True)
class Share:
    """One bar of the answers' chart (``charts.Share``)."""

    label: str
    count: int
    correct: bool


def stage(game: LiveGame) -> dict[str, object]:
    """What the host's stage shows now: the game's own view, and the chart after a question."""
    view = host_view(game)
    chart = None
    if "reveal" in view:
        shares = [Share(s["label"], s["count"], s["correct"]) for s in view["reveal"]["distribution"]]
        chart = charts.answer_distribution(shares, f"Answers to question {game.position + 1}")
    return {"view": view, "chart": chart}


def own_game(game_id: int) -> LiveGame:
    """The current instructor's game; another's is as good as missing."""
    try:
        return host_game(current_user, game_id)
    except LiveNotFound:
        abort(404)


def spaced(pin: str) -> str:
    """A PIN as the screen shows it and a screen reader reads it: "123 456"."""
    return f"{pin[:3]} {pin[3:]}"


@bp.get("/<id:game_id>/results")
@allow(INSTRUCTOR)
def results(game_id: int) -> ResponseReturnValue:
    """The game's standings, and how each question went."""
    game = own_game(game_id)
    standings = ranks(game)
    every = sorted(
        db.session.scalars(
            select(LivePlayer).where(LivePlayer.game_id == game.id, LivePlayer.kicked.is_(False))
        ),
        key=lambda p: (standings.get(p.id, (len(standings) + 1, 0))[0], p.id),
    )
    right = dict(
        db.session.execute(
            select(LiveAnswer.player_id, func.count())
            .where(LiveAnswer.game_id == game.id, LiveAnswer.outcome == "correct")
            .group_by(LiveAnswer.player_id)
        ).all()
    )
    return render_template(
        "live/results.html",
        game=game,
        standings=[(standings.get(p.id, (None, p.score))[0], p, right.get(p.id, 0)) for p in every],
        questions=closed_questions(game),
    )


def closed_questions(game: LiveGame) -> list[dict[str, object]]:
    """The summary (``operations.summary``) of the questions closed so far: the one open now, if
    any, keeps its key off the host's screen, which a room may see."""
    shown = game.position if game.state == "question" else game.position + 1
    return summary(game)[: max(shown, 0)]


@bp.get("/<id:game_id>/results.csv")
@allow(INSTRUCTOR)
def results_csv(game_id: int) -> ResponseReturnValue:
    game = own_game(game_id)
    return download(write_csv(results_table(game)), "text/csv", f"live-game-{game.id}-results.csv")


# --- the players ---------------------------------------------------------------------------------


@bp.get("")
@allow(ANYONE)
@limit_misses("PIN_MISS_RATE_LIMIT")
def join() -> ResponseReturnValue:
    """The PIN form; sent, it leads to the game's phone screen."""
    form = PinForm(request.args)
    if "pin" not in request.args:
        return render_template("live/join.html", form=PinForm(formdata=None))
    if form.validate():
        if game_by_pin(form.pin.data) is not None:
            return redirect(url_for("live.play", pin=form.pin.data))
        form.pin.errors.append(no_game(form.pin.data))
    return render_template("live/join.html", form=form), 422


@bp.get("/join/<pin>")
@allow(ANYONE)
@limit_misses("PIN_MISS_RATE_LIMIT")
def join_pin(pin: str) -> ResponseReturnValue:
    """The QR code's address: straight to the game's phone screen."""
    if game_by_pin(pin) is None:
        return unknown_pin(pin)
    return redirect(url_for("live.play", pin=pin))


def no_game(pin: str) -> str:
    return (
        f"No game is open with the PIN {pin}. Check the number on the host's screen: "
        "a finished game's PIN no longer works."
    )


def unknown_pin(pin: str) -> ResponseReturnValue:
    form = PinForm(formdata=None, pin=pin[:7])
    form.pin.errors = [no_game(pin[:7])]
    return render_template("live/join.html", form=form), 404


@bp.get("/play/<pin>")
@allow(ANYONE)
@limit_misses("PIN_MISS_RATE_LIMIT")
def play(pin: str) -> ResponseReturnValue:
    """A player's phone screen. An open game asks for a nickname; a class game is for its
    students, signed in, by their names."""
    game = game_by_pin(pin)
    if game is None:
        return unknown_pin(pin)
    classroom = game.classroom
    if classroom is not None:
        if not current_user.is_authenticated:
            flash("This game is for a class: log in to play.", "info")
            return redirect(url_for("accounts.login", next=request.path))
        if current_user.id != game.host_id and not is_enrolled(classroom, current_user):
            message = (
                f"This game is for the students of {classroom.name}. Join the class first, or ask the host."
            )
            return render_template("error.html", title="Not your class's game", message=message), 403
    return render_template("live/play.html", game=game, pin=pin, spaced_pin=spaced(pin))
