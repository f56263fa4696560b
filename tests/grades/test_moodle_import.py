"""The Moodle grade file, read the way Moodle's own CSV grade import reads it.

``moodle_import`` below ports the mapping rules of Moodle's importer, from its source:
``grade/import/csv/classes/load_data.php`` (class ``gradeimport_csv_load_data``, the version at
moodle/moodle commit 162f42f0), ``grade/import/lib.php`` (``grade_import_commit``) and the
behaviour MDL-50650 added in Moodle 4.1 (``grade/tests/behat/grade_import.feature``: a grade
outside an existing item's minimum and maximum fails the import). Each rule carries the name of
the function it ports. What the port does not model (scales, feedback columns, groups, locked
grades, the "last downloaded" column) quizapp's file never uses.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import update

from quizapp.extensions import db
from quizapp.models import Attempt, User
from tests.factories import REVIEW, scoring

#: A new grade item's maximum: ``grade_import_commit`` creates it as ``new grade_item(...)``
#: with only a name, and ``grade_item`` defaults ``grademax`` to 100.
NEW_ITEM_MAXIMUM = 100.0
#: ``insert_grade_record``: "By default the maximum grade is 100" (``$CFG->gradepointmax`` only
#: when ``$CFG->unlimitedgrades`` is on): a larger grade fails the import.
GRADE_POINT_MAXIMUM = 100.0
#: PHP's ``is_numeric`` on a trimmed string (what ``unformat_float($value, true)`` accepts once the
#: decimal separator is ".").
PHP_NUMERIC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class ImportFailed(Exception):
    """Moodle's "Import failed. No data was imported." with the reason it gives."""


@dataclass
class Item:
    name: str
    grademax: float
    grademin: float = 0.0
    #: userid → finalgrade (None: "no grade").
    grades: dict[int, float | None] = field(default_factory=dict)


@dataclass
class Course:
    #: Moodle's ``user`` table: id → {"username": ..., "email": ...}.
    users: dict[int, dict[str, str]]
    items: dict[str, Item] = field(default_factory=dict)


def moodle_import(data: bytes, course: Course, map_from: str, map_to: str, mapping: dict[str, str]) -> Course:
    """Import ``data`` into ``course`` as Moodle's CSV grade import does: students identified by
    the column ``map_from`` matched against the user field ``map_to`` ("username" or "email"), and
    each other column by ``mapping``: the name of an existing item, "new" or "ignore"."""
    # csv_import_reader::load_csv_content: UTF-8, a header row, then every row as wide as the header
    # ("csvweirdcolumns" otherwise).
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    # load_data::trim_headers: each header trimmed.
    header = [h.strip() for h in rows[0]]
    for row in rows[1:]:
        if len(row) != len(header):
            raise ImportFailed("csvweirdcolumns")
    # prepare_import_grade_data: the identity column maps to the user field; the others as chosen.
    columns = {name: mapping.get(name, "ignore") for name in header}
    columns[map_from] = map_to
    staged: list[tuple[int, str, float | None]] = []
    new_items: dict[str, Item] = {}
    # prepare_import_grade_data: ``$this->studentid`` is set once before the loop and never reset
    # per line: a line whose identity cell is blank keeps the previous line's student.
    student: int | None = None
    for line in rows[1:]:
        # prepare_import_grade_data: "There is no data on this line, move on" (count($line) <= 1).
        if len(line) <= 1:
            continue
        grades: list[tuple[str, float | None]] = []
        for name, raw in zip(header, line, strict=True):
            # prepare_import_grade_data: each value clean_param(PARAM_RAW)'d and trim()'d.
            value = raw.strip()
            target = columns[name]
            if target in ("username", "email"):
                # map_user_data_with_value: "Skip invalid row with blank user field" (PHP empty():
                # "" and "0" are empty); else check_user_exists, an exact database match
                # ($DB->get_record('user', [field => value])): no user fails the whole import.
                if value not in ("", "0"):
                    matches = [uid for uid, user in course.users.items() if user.get(target) == value]
                    if not matches:
                        raise ImportFailed(f"usermappingerror: no user with {target} {value!r}")
                    student = matches[0]
            elif target == "new":
                # import_new_grade_item: a grade unless the value is "-" (no grade record at all).
                # A blank value is kept as the grade "" (stored as 0 by the database, or as no grade
                # in later versions): quizapp's file never has one, and the tests check that.
                if value != "-":
                    grades.append((f"new:{name}", _blank_or_number(value)))
            elif target != "ignore":
                # update_grade_item: "" or "-" is "No grade" (None); otherwise unformat_float
                # (strict), and a non-number fails the import ("badgrade").
                if value in ("", "-"):
                    grades.append((target, None))
                elif PHP_NUMERIC.fullmatch(value):
                    item = course.items[target]
                    number = float(value)
                    # MDL-50650 (Moodle 4.1+): outside the item's range fails the import.
                    if number > item.grademax or number < item.grademin:
                        raise ImportFailed(
                            f"grade {number} outside {item.name}'s {item.grademin}–{item.grademax}"
                        )
                    grades.append((target, number))
                else:
                    raise ImportFailed(f"badgrade: {value!r}")
        # prepare_import_grade_data: "User not found, abort whole import".
        if student is None:
            raise ImportFailed("usermappingerrorusernotfound")
        for target, grade in grades:
            # insert_grade_record: a grade over the grade point maximum fails the import.
            if grade is not None and grade > GRADE_POINT_MAXIMUM:
                raise ImportFailed(f"gradevaluetoobig: {grade}")
            staged.append((student, target, grade))
    # grade_import_commit: new items made (out of 100) with their grades, then existing items
    # updated (update_final_grade with None leaves the student with no grade). Only the staged
    # grades are written: a student with no line in the file keeps every grade they had.
    for student_id, target, grade in staged:
        if target.startswith("new:"):
            name = target.removeprefix("new:")
            item = new_items.setdefault(name, Item(name, NEW_ITEM_MAXIMUM))
        else:
            item = course.items[target]
        item.grades[student_id] = grade
    course.items.update({f"new:{name}": item for name, item in new_items.items()})
    return course


def _blank_or_number(value: str) -> float | None:
    return 0.0 if value == "" else float(value)


# --- quizapp's file through it -------------------------------------------------------------------

ALL = "Every type (every-type/all)"
REVIEW_COLUMN = "Random review (every-type/review)"


@pytest.fixture
def klass(app, seed, instructor) -> dict[str, int]:
    """Prof's class sets `all` (7 points) and `review` (3). `-dash` (a username quizapp made
    before its rule forbade a leading "-") scores 4/7; Ada 7/7 and 1/3; Cy never attempts."""
    ada, dash, cy = seed.user("ada", "Ada Lovelace"), seed.user("-dash", "-Dash"), seed.user("cy")
    class_id = seed.classroom(
        quizzes=(("every-type", "all"), ("every-type", "review")), students=(ada, dash, cy)
    )
    seed.attempt(ada, scoring(7))
    seed.attempt(ada, scoring(1, REVIEW), quiz_id="review")
    seed.attempt(dash, scoring(4))
    with app.app_context():
        emails = {ada: "Ada.Lovelace@Example.org", dash: "dash@example.org", cy: "cy@example.org"}
        for user_id, email in emails.items():
            db.session.execute(
                update(User).where(User.id == user_id).values(email=email, email_key=email.lower())
            )
        db.session.commit()
    return {"class": class_id, "ada": ada, "dash": dash, "cy": cy}


def moodle_file(client, class_id: int) -> bytes:
    response = client.get(f"/teach/classes/{class_id}/export/grades.moodle?items=created")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    return data


def moodle_course(klass: dict[str, int]) -> Course:
    """The same students in Moodle (other ids), and the grade items made first as docs/exports.md
    says, with each quiz's maximum; Ada already has a grade in `all` entered by hand."""
    course = Course(
        users={
            101: {"username": "ada", "email": "Ada.Lovelace@Example.org"},
            102: {"username": "-dash", "email": "dash@example.org"},
            103: {"username": "cy", "email": "cy@example.org"},
            104: {"username": "dee", "email": "dee@example.org"},
        },
        items={"all": Item("all", 7.0), "review": Item("review", 3.0)},
    )
    course.items["all"].grades[101] = 2.0
    return course


@pytest.mark.parametrize(("map_from", "map_to"), [("Username", "username"), ("Email address", "email")])
def test_every_row_of_the_moodle_file_maps_to_its_student_and_grade_in_moodles_import(
    instructor, klass, map_from, map_to
):
    course = moodle_import(
        moodle_file(instructor, klass["class"]),
        moodle_course(klass),
        map_from,
        map_to,
        {ALL: "all", REVIEW_COLUMN: "review"},
    )

    assert course.items["all"].grades == {101: 7.0, 102: 4.0, 103: None}
    assert course.items["review"].grades == {101: 1.0, 102: None, 103: None}
    assert 104 not in course.items["all"].grades  # a Moodle student not in the class is untouched


def test_the_moodle_file_has_no_blank_cell_moodle_would_read_as_a_zero_or_a_carried_over_student(
    instructor, klass
):
    rows = list(csv.reader(io.StringIO(moodle_file(instructor, klass["class"]).decode(), newline="")))

    assert rows[0] == ["Username", "Full name", "Email address", ALL, REVIEW_COLUMN]
    assert rows[1:] == [
        ["-dash", "'-Dash", "dash@example.org", "4.0", "-"],  # the name is text; the username never altered
        ["ada", "Ada Lovelace", "Ada.Lovelace@Example.org", "7.0", "1.0"],
        ["cy", "Cy", "cy@example.org", "-", "-"],
    ]


def test_new_grade_items_get_no_grade_for_a_student_who_never_attempted_the_quiz(instructor, klass):
    # Mapped to "New grade item": an item out of 100; "-" writes no grade at all (a blank would be 0).
    course = moodle_import(
        moodle_file(instructor, klass["class"]),
        moodle_course(klass),
        "Username",
        "username",
        {ALL: "new", REVIEW_COLUMN: "new"},
    )
    assert course.items[f"new:{REVIEW_COLUMN}"].grades == {101: 1.0}
    assert course.items[f"new:{ALL}"].grades == {101: 7.0, 102: 4.0}


def test_a_username_moodle_does_not_know_fails_moodles_whole_import(instructor, klass):
    # Why identities are never altered: the old "'-dash" matched nobody and stopped the import.
    course = moodle_course(klass)
    course.users[102]["username"] = "'-dash"
    with pytest.raises(ImportFailed, match="no user with username '-dash'"):
        moodle_import(moodle_file(instructor, klass["class"]), course, "Username", "username", {ALL: "all"})


def test_a_score_of_3_95_out_of_10_stays_out_of_10_in_the_item_made_first_and_would_be_3_95_of_100_in_a_new_one(
    app, instructor, seed, make_bank
):
    make_bank(
        "ten",
        """
        title: Ten points
        questions:
          - id: how-cold
            type: numeric
            prompt: How cold is it?
            answer: -1.5
            points: 10
        quizzes:
          - id: cold
            title: Cold
            questions: [how-cold]
        """,
    )
    ada = seed.user("ada")
    class_id = seed.classroom(quizzes=(("ten", "cold"),), students=(ada,))
    attempt = seed.attempt(ada, {"how-cold": -1.5}, slug="ten", quiz_id="cold")
    with app.app_context():
        db.session.execute(update(Attempt).where(Attempt.id == attempt).values(score=3.95))
        db.session.commit()

    # The download first says which grade item to make, and its maximum.
    page = instructor.get(f"/teach/classes/{class_id}/export/grades.moodle")
    assert page.status_code == 409
    assert "Moodle would mis-scale this file" in page.text
    assert "<td>Cold</td><td><code>Cold (ten/cold)</code></td><td>10</td>" in page.text

    data = moodle_file(instructor, class_id)
    made_first = moodle_import(
        data,
        Course({7: {"username": "ada"}}, {"cold": Item("cold", 10.0)}),
        "Username",
        "username",
        {"Cold (ten/cold)": "cold"},
    )
    assert (made_first.items["cold"].grades, made_first.items["cold"].grademax) == ({7: 3.95}, 10.0)
    new = moodle_import(
        data, Course({7: {"username": "ada"}}), "Username", "username", {"Cold (ten/cold)": "new"}
    )
    assert (new.items["new:Cold (ten/cold)"].grades, new.items["new:Cold (ten/cold)"].grademax) == (
        {7: 3.95},
        100.0,
    )


def test_a_blank_email_cell_would_give_the_row_to_the_previous_student_in_moodles_import(instructor, klass):
    # Why the file leaves out the addresses unless every student has one.
    course = moodle_course(klass)
    data = moodle_file(instructor, klass["class"]).replace(b"cy@example.org", b"")
    moodle_import(data, course, "Email address", "email", {ALL: "all"})
    # Cy's row (after Ada's) went to Ada: her 7 became Cy's "no grade".
    assert course.items["all"].grades == {102: 4.0, 101: None}


def test_with_a_student_without_an_email_the_column_is_empty_and_moodle_refuses_to_map_by_it(
    app, instructor, klass
):
    with app.app_context():
        db.session.execute(update(User).where(User.id == klass["cy"]).values(email=None, email_key=None))
        db.session.commit()
    data = moodle_file(instructor, klass["class"])

    assert [row[2] for row in csv.reader(io.StringIO(data.decode(), newline=""))] == [
        "Email address",
        "",
        "",
        "",
    ]
    course = moodle_course(klass)
    with pytest.raises(ImportFailed, match="usermappingerrorusernotfound"):
        moodle_import(data, course, "Email address", "email", {ALL: "all"})
    assert course.items["all"].grades == {101: 2.0}  # nothing imported
    # By username, the same file maps every row.
    course = moodle_import(data, moodle_course(klass), "Username", "username", {ALL: "all"})
    assert course.items["all"].grades == {101: 7.0, 102: 4.0, 103: None}


# --- one quiz's file, for a grade item that exists in Moodle -------------------------------------


def quiz_file(client, class_id: int, quiz_id: str) -> bytes:
    # No ``items=created``: the file is for an item that exists, so no page asks for it first.
    response = client.get(f"/teach/classes/{class_id}/export/grades.moodle?bank=every-type&quiz={quiz_id}")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    return data


def hand_graded_course(klass: dict[str, int]) -> Course:
    """``moodle_course`` after a term in Moodle: the teacher entered by hand a grade in `all` for Cy
    (who never took the quiz in quizapp) and for Dee (who is not in the class), and one in
    `review` for -dash."""
    course = moodle_course(klass)
    course.items["all"].grades.update({103: 5.0, 104: 3.0})
    course.items["review"].grades[102] = 2.5
    return course


@pytest.mark.parametrize(("map_from", "map_to"), [("Username", "username"), ("Email address", "email")])
def test_one_quizs_file_updates_its_existing_item_and_erases_no_grade_entered_in_moodle(
    instructor, klass, map_from, map_to
):
    course = hand_graded_course(klass)
    for quiz_id, item in (("all", "all"), ("review", "review")):
        column = ALL if quiz_id == "all" else REVIEW_COLUMN
        moodle_import(
            quiz_file(instructor, klass["class"], quiz_id), course, map_from, map_to, {column: item}
        )

    # Ada's 2 becomes her 7 and -dash gets his 4; Cy's and Dee's hand-entered grades stay.
    assert course.items["all"].grades == {101: 7.0, 102: 4.0, 103: 5.0, 104: 3.0}
    assert course.items["review"].grades == {101: 1.0, 102: 2.5}


def test_the_whole_class_file_mapped_onto_the_same_items_would_erase_the_hand_entered_grades(
    instructor, klass
):
    course = hand_graded_course(klass)
    moodle_import(
        moodle_file(instructor, klass["class"]),
        course,
        "Username",
        "username",
        {ALL: "all", REVIEW_COLUMN: "review"},
    )

    # Cy's "-" in `all` and -dash's in `review` are stored as "no grade" over the grades entered.
    assert course.items["all"].grades == {101: 7.0, 102: 4.0, 103: None, 104: 3.0}
    assert course.items["review"].grades == {101: 1.0, 102: None, 103: None}


def test_one_quizs_file_holds_only_the_students_with_a_grade_and_the_same_columns_as_the_whole_file(
    instructor, klass
):
    rows = list(csv.reader(io.StringIO(quiz_file(instructor, klass["class"], "all").decode(), newline="")))

    assert rows == [
        ["Username", "Full name", "Email address", ALL],
        ["-dash", "'-Dash", "dash@example.org", "4.0"],  # points out of the quiz's 7, as in the whole file
        ["ada", "Ada Lovelace", "Ada.Lovelace@Example.org", "7.0"],
    ]
    review = list(
        csv.reader(io.StringIO(quiz_file(instructor, klass["class"], "review").decode(), newline=""))
    )
    assert review[1:] == [["ada", "Ada Lovelace", "Ada.Lovelace@Example.org", "1.0"]]


def test_one_quizs_file_mapped_to_a_new_item_gives_grades_only_to_the_students_in_it(instructor, klass):
    course = moodle_import(
        quiz_file(instructor, klass["class"], "all"),
        moodle_course(klass),
        "Username",
        "username",
        {ALL: "new"},
    )
    assert course.items[f"new:{ALL}"].grades == {101: 7.0, 102: 4.0}
