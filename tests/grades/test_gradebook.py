"""The gradebook: grades under each policy, blanks, totals, class means, sorting, a student's
attempts and who may see them.

The attempts are mostly written straight into the database by the ``seed`` fixture
(tests.factories.Seed).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import urljoin

import openpyxl
import pytest
from sqlalchemy import select

from quizapp import clock
from quizapp.extensions import bank_registry, db
from quizapp.grades import reports
from quizapp.models import Assignment, Classroom, utcnow
from tests.factories import (
    EVERY_TYPE_BANK,
    REVIEW,
    RIGHT,
    answer_form,
    assign,
    clean,
    create_class,
    join,
    join_code,
    learner,
    other_instructor,
    register,
    scoring,
    shown_questions,
    start,
    submit,
    table_rows,
    text,
)

# --- reading pages -------------------------------------------------------------------------------


def status(client, url: str) -> int:
    """The status of a GET, its body read and the response closed (a streamed download left open
    would keep its request context pushed into the next test)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response.status_code


def book(app, class_id: int) -> reports.Gradebook:
    with app.app_context():
        return reports.gradebook(db.session.get(Classroom, class_id), bank_registry())


def gradebook_url(class_id: int, **query: str) -> str:
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/teach/classes/{class_id}/gradebook" + (f"?{args}" if args else "")


# --- grading policies ----------------------------------------------------------------------------

POLICY_QUIZZES = "".join(
    f"""
  - id: by-{policy}
    title: Graded {policy}
    questions: [single-q, multi-q, tf-q, text-q, numeric-q, order-q, match-q]
    attempts: 3
    grading: {policy}"""
    for policy in ("highest", "last", "first", "average")
)


def test_each_grading_policy_grades_attempts_of_2_7_then_7_7_then_5_7_as_computed_by_hand(
    app, instructor, seed, make_bank
):
    make_bank("policies", EVERY_TYPE_BANK.split("\nquizzes:", 1)[0] + "\nquizzes:" + POLICY_QUIZZES + "\n")
    policies = ("highest", "last", "first", "average")
    ada = seed.user("ada")
    class_id = seed.classroom(quizzes=tuple(("policies", f"by-{p}") for p in policies), students=(ada,))
    for policy in policies:
        for right in (2, 7, 5):  # oldest first
            seed.attempt(ada, scoring(right), slug="policies", quiz_id=f"by-{policy}")

    page = text(instructor.get(gradebook_url(class_id)))
    assert table_rows(page, "thead") == [
        ["Student ▲", "Graded highest", "Graded last", "Graded first", "Graded average", "Total"]
    ]
    # 7/7; 5/7 = 71.4%; 2/7 = 28.6%; (2 + 7 + 5) / 21 = 66.7%. Total: (7 + 5 + 2 + 14/3) / 28 = 66.7%.
    assert table_rows(page) == [
        ["Ada ada", "100% (3 attempts)", "71% (3 attempts)", "29% (3 attempts)", "67% (3 attempts)", "67%"]
    ]

    grades = book(app, class_id)
    assert [c.grading for c in grades.columns] == list(policies)
    assert [c.max_points for c in grades.columns] == [7, 7, 7, 7]
    [row] = grades.rows
    assert [c.fraction for c in row.cells] == pytest.approx([1, 5 / 7, 2 / 7, 14 / 21])
    assert [c.attempts for c in row.cells] == [3, 3, 3, 3]
    assert row.total_points(grades.columns) == pytest.approx(7 + 5 + 2 + 14 / 3)
    assert row.total == pytest.approx((7 + 5 + 2 + 14 / 3) / 28)


# --- cells, blanks, totals and means -------------------------------------------------------------


@pytest.fixture
def three_students(seed, instructor) -> tuple[int, dict[str, int]]:
    """Ada: `all` 7/7 then 3/7 (highest: 100%), `review` 1/3. Bob: `all` 4/7. Cy: nothing."""
    ada, bob, cy = seed.user("ada"), seed.user("bob"), seed.user("cy")
    class_id = seed.classroom(
        quizzes=(("every-type", "all"), ("every-type", "review")), students=(ada, bob, cy)
    )
    seed.attempt(ada, scoring(7))
    seed.attempt(ada, scoring(3))
    seed.attempt(ada, scoring(1, REVIEW), quiz_id="review")
    seed.attempt(bob, scoring(4))
    return class_id, {"ada": ada, "bob": bob, "cy": cy}


def test_cells_show_the_attempts_and_a_student_who_never_attempted_has_blank_cells_not_0(
    app, instructor, three_students
):
    class_id, _ = three_students
    page = text(instructor.get(gradebook_url(class_id)))

    assert table_rows(page) == [
        # 7 + 1 points of 7 + 3 possible; 4 of 10; 0 of 10.
        ["Ada ada", "100% (2 attempts)", "33% (1 attempt)", "80%"],
        ["Bob bob", "57% (1 attempt)", "", "40%"],
        ["Cy cy", "", "", "0%"],
    ]
    grades = book(app, class_id)
    cy = grades.rows[2]
    assert cy.display_name == "Cy"
    assert cy.cells == (reports.Cell(None, 0), reports.Cell(None, 0))
    assert [c.max_points for c in grades.columns] == [7, 3]
    assert [r.total_points(grades.columns) for r in grades.rows] == pytest.approx([8, 4, 0])


def test_the_class_means_leave_blank_cells_out_and_the_mean_total_averages_every_students_total(
    app, instructor, three_students
):
    class_id, _ = three_students
    page = text(instructor.get(gradebook_url(class_id)))

    # `all`: (100% + 4/7) / 2 = 78.6% (counting Cy's blank as 0 would give 52%);
    # `review`: Ada alone, 33% (not 11%); totals: (80% + 40% + 0%) / 3 = 40%.
    assert table_rows(page, "tfoot") == [["Class mean", "79% analysis", "33% analysis", "40%"]]
    grades = book(app, class_id)
    assert grades.column_mean(0) == pytest.approx((1 + 4 / 7) / 2)
    assert grades.column_mean(1) == pytest.approx(1 / 3)
    assert grades.mean_total() == pytest.approx(0.4)


def test_a_class_without_students_says_so_and_its_means_are_empty(app, instructor, seed):
    class_id = seed.classroom()
    page = text(instructor.get(gradebook_url(class_id)))
    assert "No students in this class yet." in page
    grades = book(app, class_id)
    assert grades.column_mean(0) is None
    assert grades.mean_total() is None


# --- sorting -------------------------------------------------------------------------------------


@pytest.fixture
def sortable(seed, instructor) -> int:
    """`all` (7 points) and `review` (3): Ada 4/7, bob 7/7, Cy nothing, Dee 2/7 and 3/3.
    Totals: Ada 40%, bob 70%, Cy 0%, Dee 50%."""
    ada, bob, cy, dee = seed.user("ada"), seed.user("bob", "bob"), seed.user("cy"), seed.user("dee")
    class_id = seed.classroom(
        quizzes=(("every-type", "all"), ("every-type", "review")), students=(dee, cy, bob, ada)
    )
    seed.attempt(ada, scoring(4))
    seed.attempt(bob, scoring(7))
    seed.attempt(dee, scoring(2))
    seed.attempt(dee, scoring(3, REVIEW), quiz_id="review")
    return class_id


def names(page: str) -> list[str]:
    return [row[0].split()[0] for row in table_rows(page)]


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("name", "asc", ["Ada", "bob", "Cy", "Dee"]),
        ("name", "desc", ["Dee", "Cy", "bob", "Ada"]),
        ("0", "asc", ["Dee", "Ada", "bob", "Cy"]),
        ("0", "desc", ["bob", "Ada", "Dee", "Cy"]),
        ("total", "asc", ["Cy", "Ada", "Dee", "bob"]),
        ("total", "desc", ["bob", "Dee", "Ada", "Cy"]),
    ],
)
def test_the_gradebook_sorts_by_name_a_quiz_or_the_total_both_ways_with_blanks_last(
    instructor, sortable, sort, order, expected
):
    page = text(instructor.get(gradebook_url(sortable, sort=sort, order=order)))
    assert names(page) == expected
    active = "ascending" if order == "asc" else "descending"
    assert page.count(f'aria-sort="{active}"') == 1
    assert page.count('aria-sort="none"') == 3


def header_link(page: str, label: str) -> str:
    return re.search(rf'<a href="([^"]+)">{re.escape(label)}(?: [▲▼])?</a>', page).group(1)


def test_clicking_a_column_heading_sorts_by_it_and_clicking_it_again_reverses_the_order(instructor, sortable):
    url = gradebook_url(sortable)

    def follow(page_url: str, label: str) -> tuple[str, str]:
        # Resolved as a browser does, against the address of the page the link is on.
        target = urljoin(
            f"http://localhost{page_url}", unescape(header_link(text(instructor.get(page_url)), label))
        )
        return target.removeprefix("http://localhost"), text(instructor.get(target))

    url, page = follow(url, "Total")
    assert url.startswith(f"/teach/classes/{sortable}/gradebook?")
    assert names(page) == ["bob", "Dee", "Ada", "Cy"]
    url, page = follow(url, "Total")
    assert names(page) == ["Cy", "Ada", "Dee", "bob"]
    url, page = follow(url, "Student")
    assert names(page) == ["Ada", "bob", "Cy", "Dee"]


def test_a_students_name_is_shown_as_typed_never_as_markup(instructor, seed):
    mallory = seed.user("mallory", '<b onmouseover="alert(1)">Mal & "Co"</b>')
    class_id = seed.classroom(students=(mallory,))
    seed.attempt(mallory, scoring(7))
    page = text(instructor.get(gradebook_url(class_id)))
    assert "<b onmouseover" not in page
    assert "&lt;b onmouseover=&#34;alert(1)&#34;&gt;Mal &amp; &#34;Co&#34;&lt;/b&gt;" in page
    assert table_rows(page)[0][0] == '<b onmouseover="alert(1)">Mal & "Co"</b> mallory'


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_students_with_no_grade_in_the_sorted_quiz_come_last_in_both_directions(instructor, sortable, order):
    page = text(instructor.get(gradebook_url(sortable, sort="1", order=order)))
    order_shown = names(page)
    assert order_shown[0] == "Dee"
    assert sorted(order_shown[1:]) == ["Ada", "Cy", "bob"]


@pytest.mark.parametrize("key", ["bogus", "2", "99", "-1", "1.0", "", "²"])
def test_a_bad_sort_key_falls_back_to_sorting_by_name(instructor, sortable, key):
    response = instructor.get(gradebook_url(sortable, sort=key))
    assert response.status_code == 200
    page = text(response)
    assert names(page) == ["Ada", "bob", "Cy", "Dee"]
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a [^>]*>Student ▲</a>', page)


# --- unsubmitted attempts, through the real pages ------------------------------------------------


def test_attempts_in_progress_count_nowhere_in_the_gradebook(app, instructor):
    class_id = create_class(instructor, "Eurasian History")
    assert assign(instructor, class_id).status_code == 302
    code = join_code(instructor, class_id)
    ada, bob = learner(app, "ada"), learner(app, "bob")
    for student in (ada, bob):
        assert join(student, code).status_code == 302
    first = start(ada, "every-type", "all")
    assert submit(ada, first, answer_form(shown_questions(app, first))).status_code == 302
    second = start(ada, "every-type", "all")
    assert second != first
    start(bob, "every-type", "all")  # never submitted

    page = text(instructor.get(gradebook_url(class_id)))
    assert table_rows(page) == [["Ada ada", "100% (1 attempt)", "100%"], ["Bob bob", "", "0%"]]
    assert table_rows(page, "tfoot") == [["Class mean", "100% analysis", "50%"]]
    grades = book(app, class_id)
    assert [r.cells for r in grades.rows] == [(reports.Cell(1.0, 1),), (reports.Cell(None, 0),)]


# --- a student's attempts ------------------------------------------------------------------------


@pytest.fixture
def ada_attempts(seed, instructor) -> dict[str, int]:
    """Ada in prof's class (quiz `all` set): two attempts at `all` (3/7 wrong on Bishkek, then 7/7)
    and one at `review`, which the class does not set. Prof's second class sets `all` too; Ada is not in it."""
    ada = seed.user("ada", "Ada Lovelace")
    class_id = seed.classroom(students=(ada,))
    other_class = seed.classroom("Second Class")
    return {
        "class": class_id,
        "other_class": other_class,
        "ada": ada,
        "first": seed.attempt(
            ada, scoring(0) | {"text-q": "Zyxwvuts", "tf-q": True, "match-q": RIGHT["match-q"]}
        ),
        "second": seed.attempt(ada, scoring(7)),
        "review": seed.attempt(ada, scoring(3, REVIEW), quiz_id="review"),
    }


def test_the_student_page_lists_every_attempt_at_the_class_quizzes_with_result_pages_to_open(
    instructor, ada_attempts
):
    class_id = ada_attempts["class"]
    page = text(instructor.get(f"/teach/classes/{class_id}/students/{ada_attempts['ada']}"))

    assert "<h1>Ada Lovelace" in page
    rows = table_rows(page)
    assert [row[:2] for row in rows] == [["Every type", "#2"], ["Every type", "#1"]]
    assert [row[4] for row in rows] == ["7 / 7 (100%)", "3 / 7 (43%)"]
    assert "Random review" not in page
    links = re.findall(rf'href="(/teach/classes/{class_id}/attempts/\d+)"', page)
    assert links == [
        f"/teach/classes/{class_id}/attempts/{ada_attempts['second']}",
        f"/teach/classes/{class_id}/attempts/{ada_attempts['first']}",
    ]

    first = instructor.get(links[1])
    assert first.status_code == 200
    result = text(first)
    assert "Ada Lovelace scored <strong>3 / 7</strong> (43%)" in result
    assert result.count("<dt>Answer given</dt>") == 7
    assert "<dt>Answer given</dt><dd>Bishkek</dd>" in result
    assert "<dt>Answer given</dt><dd>Georgia; Ukraine</dd>" in result
    assert "<dt>Answer given</dt><dd>Zyxwvuts</dd>" in result
    assert "<dt>Correct answer</dt><dd>Astana</dd>" in result
    assert "Your answer" not in result
    second = text(instructor.get(links[0]))
    assert "Ada Lovelace scored <strong>7 / 7</strong> (100%)" in second
    assert "<dt>Answer given</dt><dd>Astana</dd>" in second


def test_each_name_in_the_gradebook_links_to_that_students_page_in_this_class(instructor, ada_attempts, seed):
    class_id = ada_attempts["class"]
    seed.enrol(class_id, seed.user("bob", "Bob Marley"))
    url = gradebook_url(class_id, sort="total", order="desc")
    page = text(instructor.get(url))
    links = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a>', page)
    assert [name for _, name in links] == ["Ada Lovelace", "Bob Marley"]
    for href, name in links:
        # Followed as a browser does: relative to the gradebook's own address, query and all.
        student = instructor.get(urljoin(f"http://localhost{url}", href))
        assert student.status_code == 200
        assert f"<h1>{name}" in text(student)


def test_an_attempt_at_a_quiz_the_class_does_not_set_is_not_listed_and_its_result_is_404(
    instructor, ada_attempts
):
    class_id, review = ada_attempts["class"], ada_attempts["review"]
    page = text(instructor.get(f"/teach/classes/{class_id}/students/{ada_attempts['ada']}"))
    assert f"/attempts/{review}" not in page
    assert instructor.get(f"/teach/classes/{class_id}/attempts/{review}").status_code == 404
    assert instructor.get(f"/teach/classes/{class_id}/attempts/{ada_attempts['first']}").status_code == 200


def test_a_students_attempts_are_404_under_another_class_of_the_instructor_that_they_are_not_in(
    instructor, ada_attempts
):
    other = ada_attempts["other_class"]
    assert instructor.get(f"/teach/classes/{other}/attempts/{ada_attempts['first']}").status_code == 404
    assert instructor.get(f"/teach/classes/{other}/students/{ada_attempts['ada']}").status_code == 404


def test_an_attempt_in_progress_is_listed_without_a_link_and_its_result_is_404(app, instructor, seed):
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    running = seed.attempt(ada, scoring(7), submitted=False)

    page = text(instructor.get(f"/teach/classes/{class_id}/students/{ada}"))
    assert table_rows(page)[0][1] == "#1"
    assert table_rows(page)[0][3:] == ["in progress", "—"]
    assert f"/attempts/{running}" not in page
    assert instructor.get(f"/teach/classes/{class_id}/attempts/{running}").status_code == 404


# --- who may see it ------------------------------------------------------------------------------


def class_pages(class_id: int, user_id: int, attempt_id: int) -> list[str]:
    return [
        f"/teach/classes/{class_id}/gradebook",
        f"/teach/classes/{class_id}/gradebook?sort=total&order=desc",
        f"/teach/classes/{class_id}/students/{user_id}",
        f"/teach/classes/{class_id}/attempts/{attempt_id}",
        *(
            f"/teach/classes/{class_id}/export/grades.{fmt}"
            for fmt in ("csv", "excel-csv", "xlsx", "canvas", "moodle")
        ),
        f"/teach/classes/{class_id}/export/grades.moodle?items=created",
        f"/teach/classes/{class_id}/export/grades.moodle?bank=every-type&quiz=all",
        f"/teach/classes/{class_id}/export/responses.csv",
        f"/teach/classes/{class_id}/quizzes/every-type/all/analysis",
        f"/teach/classes/{class_id}/quizzes/every-type/all/analysis?regrade=1",
    ]


def test_another_instructor_gets_404_and_a_student_403_on_every_page_of_a_class(app, instructor, seed):
    ada = seed.user("ada")
    class_id = seed.classroom(students=(ada,))
    attempt = seed.attempt(ada, scoring(5))
    urls = class_pages(class_id, ada, attempt)
    for url in urls:
        # The Moodle file of a quiz not out of 100 first asks for its grade item (409, a page).
        assert status(instructor, url) == (409 if url.endswith("grades.moodle") else 200), url

    rival = other_instructor(app, "rival")
    seed.classroom("Rival Class", instructor="rival", students=(ada,))
    for url in urls:
        assert status(rival, url) == 404, url

    student = app.test_client()
    assert register(student, "bob").status_code == 302
    seed.enrol(class_id, seed.user_id("bob"))
    for url in urls:
        assert status(student, url) == 403, url


def test_a_submitted_attempt_that_scored_nothing_shows_0_percent_not_a_blank(app, instructor):
    class_id = create_class(instructor, "Eurasian History")
    assert assign(instructor, class_id).status_code == 302
    ada = learner(app, "ada")
    assert join(ada, join_code(instructor, class_id).lower().replace("-", " ")).status_code == 302
    path = start(ada, "every-type", "all")
    assert submit(ada, path, answer_form(shown_questions(app, path), right=False)).status_code == 302

    page = text(instructor.get(gradebook_url(class_id)))
    assert table_rows(page) == [["Ada ada", "0% (1 attempt)", "0%"]]
    assert table_rows(page, "tfoot") == [["Class mean", "0% analysis", "0%"]]


# --- quizzes not open yet ------------------------------------------------------------------------


def open_review_later(app, class_id: int) -> datetime:
    """Move the class's `review` to open two days from now; when it opens."""
    opens = utcnow().replace(microsecond=0) + timedelta(days=2)
    with app.app_context():
        assignment = db.session.scalar(
            select(Assignment).where(Assignment.classroom_id == class_id, Assignment.quiz_id == "review")
        )
        assignment.opens_at = opens
        db.session.commit()
    return opens


def exported(client, class_id: int, fmt: str) -> list[list[str]]:
    response = client.get(f"/teach/classes/{class_id}/export/grades.{fmt}")
    data = response.get_data()
    response.close()
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data))["Grades"]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_a_quiz_not_open_yet_counts_in_no_total_and_the_gradebook_says_which_quizzes_count(
    app, instructor, three_students
):
    class_id, _ = three_students
    opens = open_review_later(app, class_id)

    page = text(instructor.get(gradebook_url(class_id)))

    assert table_rows(page, "thead") == [["Student ▲", "Every type", "Random review not yet open", "Total"]]
    # Ada's 1/3 at `review` (made before its window moved) stays in its cell, out of her total.
    assert table_rows(page) == [
        ["Ada ada", "100% (2 attempts)", "33% (1 attempt)", "100%"],
        ["Bob bob", "57% (1 attempt)", "", "57%"],
        ["Cy cy", "", "", "0%"],
    ]
    note = clean(page.split('<p class="meta">', 1)[1].split("</p>", 1)[0])
    assert (
        f"not yet open, so not in the totals: Random review (opens {opens:%a} {opens.day} {opens:%b}" in note
    )
    grades = book(app, class_id)
    assert [c.counts for c in grades.columns] == [True, False]
    assert reports.possible_points(grades.columns) == 7
    assert grades.mean_total() == pytest.approx((1 + 4 / 7 + 0) / 3)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_total_leaves_out_a_quiz_not_open_yet_as_the_page_does(
    app, instructor, three_students, fmt
):
    class_id, _ = three_students
    open_review_later(app, class_id)

    rows = exported(instructor, class_id, fmt)

    assert rows[0][5:] == [
        "Random review (every-type/review) not yet open, not in total %",
        "Random review (every-type/review) not yet open, not in total attempts",
        "Total points",
        "Points possible",
        "Total %",
    ]
    totals = {row[1]: [float(v) for v in row[-3:]] for row in rows[1:]}
    assert totals == {"ada": [7, 7, 100], "bob": [4, 7, pytest.approx(57.14)], "cy": [0, 7, 0]}


def test_a_quiz_counts_in_the_totals_from_the_moment_it_opens(app, instructor, three_students, monkeypatch):
    class_id, _ = three_students
    opens = open_review_later(app, class_id)
    monkeypatch.setattr(clock, "now", lambda: opens)  # on PostgreSQL too, whose clock host_now only offsets

    grades = book(app, class_id)

    assert [c.counts for c in grades.columns] == [True, True]
    assert [r.total for r in grades.rows] == pytest.approx([0.8, 0.4, 0.0])
