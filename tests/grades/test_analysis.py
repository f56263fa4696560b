"""Item analysis of a quiz (statistics, histogram, picks, flags, alpha, source coverage) and
regrading after a key is fixed."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.grades import stats
from quizapp.models import Attempt, RegradeLog, Response, User
from tests.factories import (
    ALL,
    RIGHT,
    WRONG,
    answer_form,
    assign,
    attempt_id,
    clean,
    create_class,
    csrf_token,
    join,
    join_code,
    learner,
    other_instructor,
    shown_questions,
    start,
    submit,
    table_rows,
    text,
)

ANALYSIS = "/teach/classes/{}/quizzes/every-type/all/analysis"
REGRADE = "/teach/classes/{}/quizzes/every-type/all/regrade"


# --- statistics of hand-made attempts ------------------------------------------------------------

#: Marks per question (in the order of ALL) of five attempts at `all`; every question is worth 1.
#: A3 picks only Russia of the two right members (half marks); A5 picks Bishkek and Georgia.
MATRIX = [
    [1, 1, 1, 1, 1, 1, 1],  # 7
    [1, 1, 1, 1, 1, 0, 0],  # 5
    [1, 0.5, 1, 1, 0, 0, 0],  # 3.5
    [1, 1, 1, 0, 0, 1, 0],  # 4
    [0, 0, 1, 0, 0, 0, 0],  # 1
]


def answers_for(marks: list[float]) -> dict[str, Any]:
    out = {qid: RIGHT[qid] if mark == 1 else WRONG[qid] for qid, mark in zip(ALL, marks, strict=True)}
    if marks[1] == 0.5:
        out["multi-q"] = ["Russia"]
    elif marks[1] == 0:
        out["multi-q"] = ["Georgia"]  # Ukraine is picked by nobody
    return out


@pytest.fixture
def analysed(seed, instructor) -> int:
    """Prof's class with `all` set and the five attempts of MATRIX, one per student."""
    users = [seed.user(f"s{i}") for i in range(len(MATRIX))]
    class_id = seed.classroom(students=tuple(users))
    for user, marks in zip(users, MATRIX, strict=True):
        seed.attempt(user, answers_for(marks))
    return class_id


def fact(page: str, term: str) -> str:
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", page, re.S)
    assert match, term
    return clean(match.group(1))


def question_row(page: str, qid: str) -> list[str]:
    """The cells of a question's row in the item table: id and prompt, responses, facility,
    discrimination, answers given, flags."""
    items = page.split('id="items-heading"', 1)[1]
    [row] = [r for r in re.findall(r"<tr>(.*?)</tr>", items, re.S) if f"<strong>{qid}</strong>" in r]
    return [clean(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def picks(page: str, qid: str) -> list[str]:
    items = page.split('id="items-heading"', 1)[1]
    [row] = [r for r in re.findall(r"<tr>(.*?)</tr>", items, re.S) if f"<strong>{qid}</strong>" in r]
    return [clean(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", row, re.S)]


def flags(page: str, qid: str) -> list[str]:
    items = page.split('id="items-heading"', 1)[1]
    [row] = [r for r in re.findall(r"<tr>(.*?)</tr>", items, re.S) if f"<strong>{qid}</strong>" in r]
    return [clean(f) for f in re.findall(r'<span class="flag">(.*?)</span>', row, re.S)]


def test_the_analysis_shows_the_attempts_and_the_mean_median_and_sd_computed_by_hand(instructor, analysed):
    page = text(instructor.get(ANALYSIS.format(analysed)))

    # Percentages 100, 71.43, 50, 57.14, 14.29: mean 20.5 / 35 = 58.57%, median 57.14%,
    # sample sd sqrt(3918.37 / 4) = 31.30.
    percentages = [sum(row) / 7 * 100 for row in MATRIX]
    mean = sum(percentages) / 5
    sd = math.sqrt(sum((p - mean) ** 2 for p in percentages) / 4)
    assert (f"{mean:.1f}", f"{sd:.1f}") == ("58.6", "31.3")
    assert fact(page, "Attempts") == "5"
    assert fact(page, "Mean") == "58.6%"
    assert fact(page, "Median") == "57.1%"
    assert fact(page, "Standard deviation") == "31.3"
    assert "Over every submitted attempt of this class's students (5)." in page


def test_the_analysis_draws_an_inline_svg_histogram_that_needs_no_script(instructor, analysed):
    page = text(instructor.get(ANALYSIS.format(analysed)))

    [svg] = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert re.match(r'<svg [^>]*role="img"', svg)
    assert "<title>Scores on Every type</title>" in svg
    assert "<script" not in page
    assert svg.count("<rect") == 10
    # 14.29 in 10–20, 50 and 57.14 in 50–60, 71.43 in 70–80, 100 in the last band.
    desc = re.search(r"<desc>(.*?)</desc>", svg, re.S).group(1)
    assert "10–20%: 1 attempt;" in desc
    assert "50–60%: 2 attempts;" in desc
    assert "70–80%: 1 attempt;" in desc
    assert "90–100%: 1 attempt." in desc
    assert "0–10%: 0 attempts;" in desc


def test_each_questions_facility_is_its_mean_fraction_of_marks_as_a_percentage(instructor, analysed):
    page = text(instructor.get(ANALYSIS.format(analysed)))

    by_hand = {"single-q": "80%", "multi-q": "70%", "tf-q": "100%", "text-q": "60%"}
    by_hand |= {"numeric-q": "40%", "order-q": "40%", "match-q": "20%"}
    for column, qid in enumerate(ALL):
        assert f"{sum(row[column] for row in MATRIX) / 5 * 100:.0f}%" == by_hand[qid]
        row = question_row(page, qid)
        assert row[1] == "5", qid
        assert row[2] == by_hand[qid], qid


def test_the_picks_of_each_choice_question_include_the_choices_nobody_picked(instructor, analysed):
    page = text(instructor.get(ANALYSIS.format(analysed)))

    assert picks(page, "single-q") == ["Astana: 4", "Bishkek: 1", "Dushanbe: 0", "Yerevan: 0"]
    assert picks(page, "multi-q") == ["Russia: 4", "Belarus: 3", "Georgia: 1", "Ukraine: 0"]
    assert picks(page, "tf-q") == ["True: 5", "False: 0"]
    assert picks(page, "text-q") == ["Zyxwvuts City: 3", "something else: 2"]


def test_questions_everyone_got_right_are_too_easy_and_unpicked_choices_are_unused_distractors(
    instructor, analysed
):
    page = text(instructor.get(ANALYSIS.format(analysed)))

    assert "too easy" in flags(page, "tf-q")
    assert "unused distractor: False" in flags(page, "tf-q")
    single = flags(page, "single-q")
    assert "too easy" not in single
    assert [f for f in single if f.startswith("unused")] == [
        "unused distractor: Dushanbe",
        "unused distractor: Yerevan",
    ]
    assert [f for f in flags(page, "multi-q") if f.startswith("unused")] == ["unused distractor: Ukraine"]
    assert not [f for f in flags(page, "text-q") if f.startswith(("unused", "too"))]


def test_an_unpicked_choice_is_not_flagged_until_five_responses(instructor, seed):
    users = [seed.user(f"s{i}") for i in range(4)]
    class_id = seed.classroom(students=tuple(users))
    for user, marks in zip(users, MATRIX[:4], strict=True):
        seed.attempt(user, answers_for(marks))
    page = text(instructor.get(ANALYSIS.format(class_id)))

    assert picks(page, "tf-q") == ["True: 4", "False: 0"]
    assert flags(page, "tf-q") == ["too easy"]
    assert not any(f.startswith("unused") for q in ALL for f in flags(page, q))


def test_cronbachs_alpha_is_shown_with_two_decimals_as_computed_on_the_score_matrix(instructor, analysed):
    page = text(instructor.get(ANALYSIS.format(analysed)))

    alpha = stats.cronbach_alpha(MATRIX)

    def variance(xs: list[float]) -> float:
        m = sum(xs) / len(xs)
        return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

    items = sum(variance([row[i] for row in MATRIX]) for i in range(7))
    by_hand = 7 / 6 * (1 - items / variance([sum(row) for row in MATRIX]))
    assert alpha == pytest.approx(by_hand)
    assert fact(page, "Internal consistency (Cronbach's alpha / KR-20)") == f"{alpha:.2f}"


def test_the_analysis_counts_only_submitted_attempts_of_the_class(instructor, seed, analysed):
    outsider = seed.user("outsider")
    seed.attempt(outsider, answers_for(MATRIX[0]))
    late = seed.user("late")
    seed.enrol(analysed, late)
    seed.attempt(late, answers_for(MATRIX[0]), submitted=False)

    page = text(instructor.get(ANALYSIS.format(analysed)))
    assert fact(page, "Attempts") == "5"
    assert fact(page, "Mean") == "58.6%"
    assert question_row(page, "tf-q")[1] == "5"


def test_a_quiz_the_class_does_not_set_has_no_analysis_page(instructor, analysed):
    response = instructor.get(f"/teach/classes/{analysed}/quizzes/every-type/review/analysis")
    assert response.status_code == 404


# --- source coverage -----------------------------------------------------------------------------


def coverage(page: str) -> str:
    return page.split('id="coverage-heading"', 1)[1].split("</section>", 1)[0]


def test_source_coverage_lists_each_paragraph_of_the_bank_with_the_questions_citing_it(instructor, seed):
    class_id = seed.classroom()
    section = coverage(text(instructor.get(ANALYSIS.format(class_id))))

    assert re.findall(r"<li>(.*?)</li>", section) == ["¶1: 1", "¶2: 1", "¶3: 1"]
    assert "<cite>Test source</cite>" in section
    assert "No question cites" not in section


def test_source_coverage_says_which_paragraphs_no_question_cites(instructor, seed, make_bank):
    make_bank(
        "cited",
        """\
        title: Cited
        source:
          title: A short text
          paragraphs: 4
        questions:
          - {id: a, type: true_false, prompt: First, answer: true, source: 1}
          - {id: b, type: true_false, prompt: Second, answer: true, source: 3}
          - {id: c, type: true_false, prompt: Third, answer: false, source: 3}
          - {id: d, type: true_false, prompt: Fourth, answer: false}
        quizzes:
          - {id: q, title: Cited quiz, questions: [a, b, c, d]}
        """,
    )
    class_id = seed.classroom(quizzes=(("cited", "q"),))
    section = coverage(text(instructor.get(f"/teach/classes/{class_id}/quizzes/cited/q/analysis")))

    assert re.findall(r"<li[^>]*>(.*?)</li>", section) == ["¶1: 1", "¶2: 0", "¶3: 2", "¶4: 0"]
    assert re.findall(r'<li class="uncited">(.*?)</li>', section) == ["¶2: 0", "¶4: 0"]
    assert "No question cites paragraphs 2, 4." in section


def test_source_coverage_counts_a_question_for_each_paragraph_it_cites_and_the_header_apart(
    instructor, seed, make_bank
):
    make_bank(
        "cited",
        """\
        title: Cited
        source:
          title: A short text
          paragraphs: 3
        questions:
          - {id: a, type: true_false, prompt: First, answer: true, source: [1, 3]}
          - {id: b, type: true_false, prompt: Second, answer: true, source: [header, 3]}
        quizzes:
          - {id: q, title: Cited quiz, questions: [a, b]}
        """,
    )
    class_id = seed.classroom(quizzes=(("cited", "q"),))
    section = coverage(text(instructor.get(f"/teach/classes/{class_id}/quizzes/cited/q/analysis")))

    assert re.findall(r"<li[^>]*>(.*?)</li>", section) == ["header: 1", "¶1: 1", "¶2: 0", "¶3: 2"]
    assert "No question cites paragraph 2." in section


# --- regrading -----------------------------------------------------------------------------------


def take(app, client, single: str) -> int:
    """Take `all` through the pages: everything right but single-q, answered ``single``."""
    path = start(client, "every-type", "all")
    questions = shown_questions(app, path)
    form = answer_form(questions)
    position = next(i for i, q in enumerate(questions) if q["id"] == "single-q")
    form[f"q{position}"] = str(questions[position]["choices"].index(single))
    assert submit(client, path, form).status_code == 302
    return attempt_id(path)


@pytest.fixture
def regradable(app, instructor, banks_dir) -> dict[str, Any]:
    """Through the pages: prof's class sets `all`; ada (Astana), bob (Bishkek) and cyd (Dushanbe)
    join it by code and take the quiz graded with the key Astana; dave, in no class, picks Astana.
    Then the instructor fixes the key in the bank file to Bishkek."""
    class_id = create_class(instructor, "Eurasian History")
    assert assign(instructor, class_id).status_code == 302
    code = join_code(instructor, class_id)
    clients, attempts = {}, {}
    for name, single in [("ada", "Astana"), ("bob", "Bishkek"), ("cyd", "Dushanbe"), ("dave", "Astana")]:
        clients[name] = learner(app, name)
        if name != "dave":
            assert join(clients[name], code).status_code == 302
        attempts[name] = take(app, clients[name], single)
    assert scores(app) == {"ada": 7, "bob": 6, "cyd": 6, "dave": 7}

    bank = banks_dir / "every-type.yaml"
    old = bank.read_text()
    assert old.count("answer: Astana") == 1
    bank.write_text(old.replace("answer: Astana", "answer: Bishkek"))
    return {
        "class": class_id,
        "clients": clients,
        "attempts": attempts,
        "sha256": hashlib.sha256(bank.read_bytes()).hexdigest(),
    }


def scores(app) -> dict[str, float]:
    with app.app_context():
        rows = db.session.execute(
            select(User.username, Attempt.score).join(Attempt, Attempt.user_id == User.id)
        )
        return dict(rows.all())


def single_responses(app) -> dict[str, tuple[float, str, str]]:
    """Each student's stored single-q response: points, outcome and the key of its stored question."""
    with app.app_context():
        rows = db.session.execute(
            select(User.username, Response)
            .join(Attempt, Attempt.user_id == User.id)
            .join(Response, Response.attempt_id == Attempt.id)
            .where(Response.question_id == "single-q")
        )
        return {name: (r.points, r.outcome, r.question["answer"]) for name, r in rows}


def regrade_logs(app) -> list[RegradeLog]:
    with app.app_context():
        return list(db.session.scalars(select(RegradeLog).order_by(RegradeLog.id)))


def changes_table(page: str) -> list[list[str]]:
    section = page.split('id="regrade-heading"', 1)[1]
    if "<tbody>" not in section:
        return []
    return table_rows(section)


BEFORE = {
    "ada": (1.0, "correct", "Astana"),
    "bob": (0.0, "wrong", "Astana"),
    "cyd": (0.0, "wrong", "Astana"),
    "dave": (1.0, "correct", "Astana"),
}


def test_editing_the_bank_alone_changes_no_stored_score_or_result_page(app, instructor, regradable):
    ada = regradable["clients"]["ada"]
    result = text(ada.get(f"/attempts/{regradable['attempts']['ada']}"))

    assert "You scored <strong>7 / 7</strong> (100%)" in result
    assert "<dt>Correct answer</dt>" not in result
    assert scores(app) == {"ada": 7, "bob": 6, "cyd": 6, "dave": 7}
    assert single_responses(app) == BEFORE
    page = text(
        instructor.get(f"/teach/classes/{regradable['class']}/attempts/{regradable['attempts']['bob']}")
    )
    assert "Bob scored <strong>6 / 7</strong>" in page
    assert "<dt>Correct answer</dt><dd>Astana</dd>" in page


def test_the_dry_run_lists_exactly_the_attempts_whose_score_would_change_old_new_and_difference(
    app, instructor, regradable
):
    page = text(instructor.get(ANALYSIS.format(regradable["class"]) + "?regrade=1"))

    ids = regradable["attempts"]
    assert changes_table(page) == [
        ["ada", str(ids["ada"]), "7 / 7", "6 / 7", "-1.00"],
        ["bob", str(ids["bob"]), "6 / 7", "7 / 7", "+1.00"],
    ]
    assert "2 attempts would change:" in page
    assert "Apply the regrade" in page


def test_the_dry_run_writes_nothing(app, instructor, regradable):
    before = text(instructor.get(ANALYSIS.format(regradable["class"])))
    assert "Check what a regrade would change" in before
    assert instructor.get(ANALYSIS.format(regradable["class"]) + "?regrade=1").status_code == 200

    assert scores(app) == {"ada": 7, "bob": 6, "cyd": 6, "dave": 7}
    assert single_responses(app) == BEFORE
    assert regrade_logs(app) == []
    assert "Regrade log" not in text(instructor.get(ANALYSIS.format(regradable["class"])))


def apply_regrade(client, class_id: int):
    page = text(client.get(ANALYSIS.format(class_id) + "?regrade=1"))
    return client.post(REGRADE.format(class_id), data={"csrf_token": csrf_token(page)})


def test_applying_the_regrade_stores_the_new_scores_and_key_and_logs_who_when_which_bank_and_what(
    app, instructor, regradable
):
    class_id, ids = regradable["class"], regradable["attempts"]
    before = datetime.now(UTC)
    response = apply_regrade(instructor, class_id)
    after = datetime.now(UTC)

    assert response.status_code == 302
    assert response.headers["Location"] == ANALYSIS.format(class_id)
    page = text(instructor.get(response.headers["Location"]))
    assert "Regraded: 2 scores changed." in page
    assert scores(app) == {"ada": 6, "bob": 7, "cyd": 6, "dave": 7}  # dave is in no class of prof's
    assert single_responses(app) == {
        "ada": (0.0, "wrong", "Bishkek"),
        "bob": (1.0, "correct", "Bishkek"),
        "cyd": (0.0, "wrong", "Bishkek"),
        "dave": (1.0, "correct", "Astana"),
    }

    [log] = regrade_logs(app)
    with app.app_context():
        prof = db.session.scalar(select(User.id).where(User.username == "prof"))
    assert log.instructor_id == prof
    assert (log.classroom_id, log.bank_slug, log.quiz_id) == (class_id, "every-type", "all")
    assert before - timedelta(seconds=1) <= log.created_at <= after + timedelta(seconds=1)
    assert log.bank_sha256 == regradable["sha256"]
    assert log.changes == [
        {"attempt_id": ids["ada"], "user": "ada", "old": 7.0, "new": 6.0, "max_old": 7.0, "max_new": 7.0},
        {"attempt_id": ids["bob"], "user": "bob", "old": 6.0, "new": 7.0, "max_old": 7.0, "max_new": 7.0},
    ]
    log_section = page.split("<h3>Regrade log</h3>", 1)[1]
    assert re.search(
        r"<li>[^<]* by prof, for Eurasian History \(assignment [0-9]+\): 2 scores changed</li>", log_section
    )


def test_after_the_regrade_result_pages_show_the_new_key_and_score(app, instructor, regradable):
    class_id, ids, clients = regradable["class"], regradable["attempts"], regradable["clients"]
    assert apply_regrade(instructor, class_id).status_code == 302

    ada = text(clients["ada"].get(f"/attempts/{ids['ada']}"))
    assert "You scored <strong>6 / 7</strong> (86%)" in ada
    assert re.search(r"<dt>Your answer</dt><dd>Astana</dd>\s*<dt>Correct answer</dt><dd>Bishkek</dd>", ada)
    bob = text(clients["bob"].get(f"/attempts/{ids['bob']}"))
    assert "You scored <strong>7 / 7</strong> (100%)" in bob
    assert "<dt>Correct answer</dt>" not in bob
    seen = text(instructor.get(f"/teach/classes/{class_id}/attempts/{ids['ada']}"))
    assert "Ada scored <strong>6 / 7</strong>" in seen
    gradebook = text(instructor.get(f"/teach/classes/{class_id}/gradebook"))
    assert [row[:2] for row in table_rows(gradebook)] == [
        ["Ada ada", "86% (1 attempt)"],
        ["Bob bob", "100% (1 attempt)"],
        ["Cyd cyd", "86% (1 attempt)"],
    ]


def test_a_second_regrade_changes_nothing_and_logs_zero_changes(app, instructor, regradable):
    class_id = regradable["class"]
    assert apply_regrade(instructor, class_id).status_code == 302
    dry = text(instructor.get(ANALYSIS.format(class_id) + "?regrade=1"))
    assert "A regrade would change nothing" in dry
    assert changes_table(dry) == []

    response = instructor.post(REGRADE.format(class_id), data={"csrf_token": csrf_token(dry)})
    assert response.status_code == 302
    page = text(instructor.get(response.headers["Location"]))
    assert "Regraded: 0 scores changed." in page
    assert scores(app) == {"ada": 6, "bob": 7, "cyd": 6, "dave": 7}
    first, second = regrade_logs(app)
    assert len(first.changes) == 2
    assert second.changes == []
    log_section = page.split("<h3>Regrade log</h3>", 1)[1]
    assert [clean(li).split(" by ")[1] for li in re.findall(r"<li>(.*?)</li>", log_section)] == [
        f"prof, for Eurasian History (assignment {first.assignment_id}): 0 scores changed",
        f"prof, for Eurasian History (assignment {first.assignment_id}): 2 scores changed",
    ]


# --- who may regrade -----------------------------------------------------------------------------


@pytest.fixture
def fixable(seed, instructor, banks_dir) -> int:
    """A class with ada's 7/7 attempt at `all`, and the key of single-q since changed to Bishkek."""
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    seed.attempt(ada, {qid: RIGHT[qid] for qid in ALL})
    bank = banks_dir / "every-type.yaml"
    bank.write_text(bank.read_text().replace("answer: Astana", "answer: Bishkek"))
    return class_id


def unchanged(app) -> bool:
    with app.app_context():
        logs = db.session.scalar(select(func.count()).select_from(RegradeLog))
    return logs == 0 and scores(app) == {"ada": 7}


def test_a_regrade_without_the_csrf_token_is_refused_and_changes_nothing(app, instructor, fixable):
    response = instructor.post(REGRADE.format(fixable), data={})
    assert response.status_code == 400
    assert unchanged(app)
    response = instructor.post(REGRADE.format(fixable), data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert unchanged(app)
    assert apply_regrade(instructor, fixable).status_code == 302  # the same request with a token works
    assert scores(app) == {"ada": 6}


def test_a_student_gets_403_and_another_instructor_404_for_a_regrade(app, instructor, fixable, seed):
    student = learner(app, "bob")
    seed.enrol(fixable, seed.user_id("bob"))
    token = csrf_token(text(student.get("/")))
    assert student.post(REGRADE.format(fixable), data={"csrf_token": token}).status_code == 403
    assert unchanged(app)

    rival = other_instructor(app, "rival")
    token = csrf_token(text(rival.get("/teach/")))
    assert rival.post(REGRADE.format(fixable), data={"csrf_token": token}).status_code == 404
    assert rival.get(ANALYSIS.format(fixable) + "?regrade=1").status_code == 404
    assert unchanged(app)
