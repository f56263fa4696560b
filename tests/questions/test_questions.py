"""Question types: reading responses from a form, grading, wording, snapshots and grading policies.

``quizapp.questions`` is pure, so these tests build questions directly and need no Flask app.
"""

from __future__ import annotations

import json
import random

import pytest
from werkzeug.datastructures import MultiDict

from quizapp.questions import (
    MAX_TEXT_ANSWER,
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ResponseError,
    Result,
    ShortText,
    Shown,
    SingleChoice,
    TrueFalse,
    from_snapshot,
    normalize_text,
    overall_grade,
    parse_number,
)


def seeded(seed: int) -> random.Random:
    """A reproducible generator for ``presented()``."""
    return random.Random(seed)  # noqa: S311 - shuffling shown choices needs no cryptographic randomness


def form(*pairs: tuple[str, str]) -> MultiDict:
    """A submitted form; a key may repeat (ticked checkboxes)."""
    return MultiDict(list(pairs))


def single(**overrides: object) -> SingleChoice:
    fields: dict[str, object] = {"id": "q", "prompt": "P", "choices": ("A", "B", "C"), "answer": "A"}
    return SingleChoice(**(fields | overrides))


def multi(**overrides: object) -> MultipleChoice:
    fields: dict[str, object] = {
        "id": "m",
        "prompt": "P",
        "choices": ("A", "B", "C", "D"),
        "answer": ("A", "B"),
    }
    return MultipleChoice(**(fields | overrides))


ORDER_KEY = ("Independence", "Constitution", "First election", "Reform")


def ordering(items: tuple[str, ...] = ()) -> Ordering:
    return Ordering(id="o", prompt="P", answer=ORDER_KEY, items=items)


PAIRS = (("Tokayev", "Kazakhstan"), ("Lukashenko", "Belarus"), ("Japarov", "Kyrgyzstan"))


def matching(seed: int = 0, **overrides: object) -> Matching:
    fields: dict[str, object] = {"id": "m", "prompt": "P", "answer": PAIRS, "distractors": ("Georgia",)}
    question = Matching(**(fields | overrides))
    presented = question.presented(seeded(seed), shuffle=True)
    assert isinstance(presented, Matching)
    return presented


def match_form(question: Matching, pairs: dict[str, str], name: str = "m") -> MultiDict:
    """The form a learner sends when picking ``pairs[left]`` for each left named in ``pairs``."""
    return form(
        *(
            (f"{name}-{i}", str(question.options.index(pairs[left])))
            for i, left in enumerate(question.lefts)
            if left in pairs
        )
    )


# --- single choice ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("A", Result(1.0, 1.0, "correct")),
        ("B", Result(0.0, 1.0, "wrong")),
        (None, Result(0.0, 1.0, "unanswered")),
    ],
)
def test_single_choice_grades_right_wrong_and_unanswered(response: str | None, expected: Result) -> None:
    assert single().grade(response) == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("A", Result(2.0, 2.0, "correct")),
        ("C", Result(0.0, 2.0, "wrong")),
        (None, Result(0.0, 2.0, "unanswered")),
    ],
)
def test_single_choice_points_scale_with_the_question_points(response: str | None, expected: Result) -> None:
    assert single(points=2).grade(response) == expected


@pytest.mark.parametrize("raw", ["", None])
def test_single_choice_blank_or_missing_field_reads_as_unanswered(raw: str | None) -> None:
    submitted = form() if raw is None else form(("q", raw))
    assert single().read_response(submitted, "q") is None


@pytest.mark.parametrize("raw", ["3", "17", "-1", "a", "1.0", " 1", "0x1", "²"])
def test_single_choice_index_outside_the_choices_or_not_a_digit_raises_response_error(raw: str) -> None:
    with pytest.raises(ResponseError, match="Choose"):
        single().read_response(form(("q", raw)), "q")


def test_single_choice_reads_the_index_in_the_presented_order() -> None:
    question = single(choices=("A", "B", "C", "D", "E"))
    shown = question.presented(seeded(3), shuffle=True)
    assert isinstance(shown, SingleChoice)
    assert sorted(shown.choices) == sorted(question.choices)
    assert shown.choices != question.choices, "seed 3 should move the choices; pick another seed"
    read = [shown.read_response(form(("q", str(i))), "q") for i in range(len(shown.choices))]
    assert read == list(shown.choices)


def test_single_choice_with_shuffle_off_keeps_the_authored_order() -> None:
    question = single(choices=("A", "B", "C", "None of the above"), shuffle=False)
    for seed in range(20):
        assert question.presented(seeded(seed), shuffle=True) == question


def test_single_choice_feedback_is_keyed_by_the_choice_text() -> None:
    question = single(feedback_by_choice={"B": "B is the capital of another country."})
    assert question.feedback("B") == ["B is the capital of another country."]
    assert question.feedback("A") == []
    assert question.feedback(None) == []


# --- multiple choice ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("picked", "points", "outcome"),
    [
        (["A", "B"], 1.0, "correct"),
        (["A"], 0.5, "partial"),
        (["A", "B", "C"], 0.5, "partial"),
        (["A", "C"], 0.0, "wrong"),
        (["C"], 0.0, "wrong"),
        (["C", "D"], 0.0, "wrong"),
        (["A", "B", "C", "D"], 0.0, "wrong"),
    ],
)
def test_multi_select_earns_one_share_per_right_pick_minus_one_per_wrong_pick_floored_at_zero(
    picked: list[str], points: float, outcome: str
) -> None:
    assert multi().grade(picked) == Result(points, 1.0, outcome)


def test_multi_select_with_one_wrong_pick_earns_partial_credit_scaled_by_points() -> None:
    question = multi(choices=("A", "B", "C", "D", "E"), answer=("A", "B", "C"), points=3)
    assert question.grade(["A", "B", "D"]) == Result(1.0, 3.0, "partial")


@pytest.mark.parametrize("response", [None, []])
def test_multi_select_with_no_pick_is_unanswered(response: list[str] | None) -> None:
    assert multi().grade(response) == Result(0.0, 1.0, "unanswered")


def test_multi_select_with_no_ticked_box_reads_as_none() -> None:
    assert multi().read_response(form(), "m") is None


def test_multi_select_reads_ticked_indexes_as_choice_texts_in_presented_order() -> None:
    question = multi(choices=("D", "C", "B", "A"))
    assert question.read_response(form(("m", "3"), ("m", "0")), "m") == ["D", "A"]


def test_multi_select_counts_a_repeated_index_once() -> None:
    question = multi()
    response = question.read_response(form(("m", "0"), ("m", "0"), ("m", "0")), "m")
    assert response == ["A"]
    assert question.grade(response) == Result(0.5, 1.0, "partial")


@pytest.mark.parametrize("raw", ["4", "-1", "x", "", "²"])
def test_multi_select_with_an_index_outside_the_choices_or_not_a_digit_raises_response_error(
    raw: str,
) -> None:
    with pytest.raises(ResponseError, match="Choose"):
        multi().read_response(form(("m", "0"), ("m", raw)), "m")


def test_multi_select_feedback_lists_the_feedback_of_every_picked_choice() -> None:
    question = multi(feedback_by_choice={"A": "fb A", "C": "fb C", "D": "fb D"})
    assert question.feedback(["A", "B", "C"]) == ["fb A", "fb C"]


# --- true / false ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("false", False), ("", None)])
def test_true_false_reads_the_strings_true_and_false_as_booleans(raw: str, expected: bool | None) -> None:
    question = TrueFalse(id="t", prompt="P", answer=True)
    assert question.read_response(form(("t", raw)), "t") is expected


def test_true_false_with_no_field_reads_as_unanswered() -> None:
    question = TrueFalse(id="t", prompt="P", answer=True)
    assert question.read_response(form(), "t") is None
    assert question.grade(None) == Result(0.0, 1.0, "unanswered")


@pytest.mark.parametrize("raw", ["True", "FALSE", "1", "0", "yes", "on", " true"])
def test_true_false_with_anything_but_true_or_false_raises_response_error(raw: str) -> None:
    with pytest.raises(ResponseError, match="True or False"):
        TrueFalse(id="t", prompt="P", answer=True).read_response(form(("t", raw)), "t")


@pytest.mark.parametrize(
    ("answer", "response", "outcome"),
    [(True, True, "correct"), (True, False, "wrong"), (False, False, "correct"), (False, True, "wrong")],
)
def test_true_false_grades_the_boolean_against_the_answer(answer: bool, response: bool, outcome: str) -> None:
    result = TrueFalse(id="t", prompt="P", answer=answer, points=2).grade(response)
    assert result == Result(2.0 if outcome == "correct" else 0.0, 2.0, outcome)


@pytest.mark.parametrize(
    ("response", "expected"), [(True, ["Yes: it is."]), (False, ["No: look again."]), (None, [])]
)
def test_true_false_feedback_is_keyed_true_or_false(response: bool | None, expected: list[str]) -> None:
    question = TrueFalse(
        id="t",
        prompt="P",
        answer=True,
        feedback_by_choice={"true": "Yes: it is.", "false": "No: look again."},
    )
    assert question.feedback(response) == expected


def test_true_false_without_feedback_for_the_pick_gives_none() -> None:
    question = TrueFalse(id="t", prompt="P", answer=True, feedback_by_choice={"true": "Yes."})
    assert question.feedback(False) == []


# --- short text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "response"),
    [
        ("Tokayev", "TOKAYEV"),
        ("Tokayev", "tokayev"),
        ("Tokaïev", "tokaiev"),
        ("tokaiev", "Tokaïev"),
        ("Ōsh", "osh"),
        ("Osh", "Ōsh"),
        ("Osh", "Osh."),
        ("Osh", "«Osh»"),
        ("Osh", "(osh)!"),
        ("Osh", '"Osh"?'),
        ("Dmitry Medvedev", "Dmitry   Medvedev"),
        ("Dmitry Medvedev", "  dmitry\tmedvedev\n"),
    ],
)
def test_short_text_ignores_case_accents_surrounding_punctuation_and_extra_spaces(
    answer: str, response: str
) -> None:
    assert ShortText(id="s", prompt="P", answer=(answer,)).grade(response) == Result(1.0, 1.0, "correct")


@pytest.mark.parametrize(
    ("answer", "response"),
    [
        ("Medvedev", "Medved"),
        ("Medvedev", "Medve-dev"),
        ("Medvedev", "Med.vedev"),
        ("Dmitry Medvedev", "DmitryMedvedev"),
        ("Osh", "Oshh"),
    ],
)
def test_short_text_does_not_forgive_changes_inside_the_words(answer: str, response: str) -> None:
    assert normalize_text(answer) != normalize_text(response)
    assert ShortText(id="s", prompt="P", answer=(answer,)).grade(response) == Result(0.0, 1.0, "wrong")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  «Tokaïev»! ", "tokaiev"),
        ("Dmitry   MEDVEDEV.", "dmitry medvedev"),
        ("(Ōsh)", "osh"),
        ("a-b", "a-b"),
    ],
)
def test_normalize_text_folds_to_the_compared_form(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("response", "outcome"), [("Bishkek", "correct"), ("Frunze", "correct"), ("Osh", "wrong")]
)
def test_short_text_accepts_any_of_several_answers(response: str, outcome: str) -> None:
    question = ShortText(id="s", prompt="P", answer=("Bishkek", "Frunze"), points=2)
    assert question.grade(response) == Result(2.0 if outcome == "correct" else 0.0, 2.0, outcome)


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_short_text_empty_or_whitespace_response_is_unanswered(raw: str) -> None:
    question = ShortText(id="s", prompt="P", answer=("Osh",))
    response = question.read_response(form(("s", raw)), "s")
    assert response is None
    assert question.grade(response) == Result(0.0, 1.0, "unanswered")


def test_short_text_reads_the_typed_text_with_runs_of_spaces_collapsed() -> None:
    question = ShortText(id="s", prompt="P", answer=("Osh",))
    assert question.read_response(form(("s", "  Dmitry   Medvedev ")), "s") == "Dmitry Medvedev"


def test_short_text_keeps_a_response_of_exactly_the_limit() -> None:
    question = ShortText(id="s", prompt="P", answer=("Osh",))
    assert question.read_response(form(("s", "a" * MAX_TEXT_ANSWER)), "s") == "a" * MAX_TEXT_ANSWER


def test_short_text_response_over_500_characters_raises_response_error() -> None:
    assert MAX_TEXT_ANSWER == 500
    question = ShortText(id="s", prompt="P", answer=("Osh",))
    with pytest.raises(ResponseError, match="500"):
        question.read_response(form(("s", "a" * 501)), "s")


# --- numeric -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        (10.0, "correct"),
        (10.5, "correct"),
        (9.5, "correct"),
        (10.51, "wrong"),
        (9.49, "wrong"),
        (-10.0, "wrong"),
    ],
)
def test_numeric_is_right_within_the_tolerance_inclusive(response: float, outcome: str) -> None:
    question = Numeric(id="n", prompt="P", answer=10.0, tolerance=0.5)
    assert question.grade(response).outcome == outcome


@pytest.mark.parametrize(
    ("response", "outcome"), [(1992.0, "correct"), (1992.001, "wrong"), (1991.0, "wrong")]
)
def test_numeric_with_tolerance_zero_needs_the_exact_number(response: float, outcome: str) -> None:
    assert Numeric(id="n", prompt="P", answer=1992.0).grade(response).outcome == outcome


def test_numeric_with_tolerance_zero_forgives_float_rounding() -> None:
    assert Numeric(id="n", prompt="P", answer=0.3).grade(0.1 + 0.2).outcome == "correct"


def test_numeric_grade_scales_with_points_and_blank_is_unanswered() -> None:
    question = Numeric(id="n", prompt="P", answer=10.0, points=3)
    assert question.grade(10.0) == Result(3.0, 3.0, "correct")
    assert question.grade(11.0) == Result(0.0, 3.0, "wrong")
    assert question.grade(None) == Result(0.0, 3.0, "unanswered")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1992", 1992.0),
        (" 1992 ", 1992.0),
        ("2.5", 2.5),
        ("2,5", 2.5),
        ("1,000", 1000.0),
        ("1,000.5", 1000.5),
        ("1 000", 1000.0),
        ("1\u00a0000", 1000.0),
        ("-3", -3.0),
        ("+4", 4.0),
        ("1e3", 1000.0),
        (".5", 0.5),
    ],
)
def test_parse_number_reads_numbers_as_people_type_them(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "", "  ", "1.2.3", "nan", "NaN", "inf", "-inf", "1e999", "12:30", "1,2,3", "--3"]
)
def test_parse_number_rejects_what_is_not_a_finite_number(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "nan", "12:30", "ten-ish"])
def test_numeric_read_response_raises_response_error_with_a_message_for_junk(raw: str) -> None:
    question = Numeric(id="n", prompt="P", answer=10.0)
    with pytest.raises(ResponseError, match="Enter a number") as caught:
        question.read_response(form(("n", raw)), "n")
    assert str(caught.value).strip()


@pytest.mark.parametrize("raw", ["", "   "])
def test_numeric_read_response_of_a_blank_is_none(raw: str) -> None:
    assert Numeric(id="n", prompt="P", answer=10.0).read_response(form(("n", raw)), "n") is None


def test_numeric_read_response_of_a_missing_field_is_none() -> None:
    assert Numeric(id="n", prompt="P", answer=10.0).read_response(form(), "n") is None


@pytest.mark.parametrize("raw", ["1992 years", "1992years", "1992 YEARS", " 1992 years ", "1992"])
def test_numeric_read_response_strips_the_questions_unit(raw: str) -> None:
    question = Numeric(id="n", prompt="P", answer=1992.0, unit="years")
    assert question.read_response(form(("n", raw)), "n") == 1992.0


def test_numeric_read_response_without_a_unit_reads_the_number_before_a_unit_word() -> None:
    assert Numeric(id="n", prompt="P", answer=1992.0).read_response(form(("n", "1992 years")), "n") == 1992


def test_numeric_read_response_parses_a_decimal_comma() -> None:
    assert Numeric(id="n", prompt="P", answer=2.5).read_response(form(("n", "2,5")), "n") == 2.5


# --- ordering ----------------------------------------------------------------------------------------


def test_ordering_is_shown_in_every_order_alike_so_the_order_shown_says_nothing_of_the_key() -> None:
    question = Ordering(id="o", prompt="P", answer=("first", "second", "third"))
    counts: dict[tuple[str, ...], int] = {}
    for seed in range(3000):
        shown = question.presented(seeded(seed), shuffle=True)
        assert isinstance(shown, Ordering)
        assert sorted(shown.items) == sorted(question.answer)
        counts[shown.items] = counts.get(shown.items, 0) + 1
    assert len(counts) == 6  # the key's own order included: leaving it out would give it away
    assert all(400 < n < 600 for n in counts.values()), counts


def test_ordering_is_shuffled_even_when_the_quiz_does_not_shuffle() -> None:
    shown = {ordering().presented(seeded(seed), shuffle=False).items for seed in range(50)}
    assert len(shown) > 10


def test_two_items_to_order_are_shown_either_way_round() -> None:
    question = Ordering(id="o", prompt="P", answer=("first", "second"))
    shown = {question.presented(seeded(seed), shuffle=True).items for seed in range(40)}
    assert shown == {("first", "second"), ("second", "first")}


def test_a_flashcard_front_never_shows_the_items_to_order_in_their_right_order() -> None:
    # A card shows the same order at every review, unlike a quiz's fresh draw each attempt.
    assert ordering(items=ORDER_KEY).front() == (Shown("order", (*ORDER_KEY[1:], ORDER_KEY[0])),)
    assert ordering().front() == ordering(items=ORDER_KEY).front()
    shuffled = ("Reform", "Independence", "First election", "Constitution")
    assert ordering(items=shuffled).front() == (Shown("order", shuffled),)
    two = Ordering(id="o", prompt="P", answer=("first", "second"), items=("first", "second"))
    assert two.front() == (Shown("order", ("second", "first")),)


def test_flashcard_fronts_show_the_choices_and_the_lists_to_match_as_presented() -> None:
    assert single().front() == (Shown("choices", ("A", "B", "C")),)
    assert multi().front() == (Shown("choices", ("A", "B", "C", "D"), "Select every right answer."),)
    shown = matching(seed=3)
    assert shown.front() == (
        Shown("items", shown.lefts),
        Shown("options", ("Belarus", "Georgia", "Kazakhstan", "Kyrgyzstan"), "Match each with one of:"),
    )
    assert sorted(shown.lefts) == ["Japarov", "Lukashenko", "Tokayev"]
    assert TrueFalse(id="t", prompt="P", answer=True).front() == ()


def test_ordering_reads_positions_given_to_the_presented_items() -> None:
    question = ordering(items=("Reform", "Independence", "First election", "Constitution"))
    submitted = form(("o-0", "4"), ("o-1", "1"), ("o-2", "3"), ("o-3", "2"))
    assert question.read_response(submitted, "o") == list(ORDER_KEY)


def test_ordering_read_after_presentation_follows_the_shown_items() -> None:
    shown = ordering().presented(seeded(7), shuffle=True)
    assert isinstance(shown, Ordering)
    positions = [(f"o-{i}", str(ORDER_KEY.index(item) + 1)) for i, item in enumerate(shown.items)]
    assert shown.read_response(form(*positions), "o") == list(ORDER_KEY)
    # Giving the shown items positions 1, 2, 3, 4 returns them as shown, which is not the key.
    as_shown = form(*((f"o-{i}", str(i + 1)) for i in range(len(shown.items))))
    assert shown.read_response(as_shown, "o") == list(shown.items)


@pytest.mark.parametrize(
    "positions",
    [
        ("1", "1", "2", "3"),
        ("1", "2", "3", "5"),
        ("0", "1", "2", "3"),
        ("1", "2", "3", ""),
        ("1", "2", "x", "4"),
        ("1", "2", "-3", "4"),
        ("1", "2", "²", "4"),
    ],
)
def test_ordering_positions_that_repeat_or_leave_gaps_raise_response_error(
    positions: tuple[str, ...],
) -> None:
    question = ordering(items=ORDER_KEY[::-1])
    submitted = form(*((f"o-{i}", p) for i, p in enumerate(positions)))
    with pytest.raises(ResponseError, match="different position from 1 to 4"):
        question.read_response(submitted, "o")


@pytest.mark.parametrize("submitted", [form(), form(("o-0", ""), ("o-1", ""), ("o-2", ""), ("o-3", ""))])
def test_ordering_with_every_position_blank_reads_as_none(submitted: MultiDict) -> None:
    question = ordering(items=ORDER_KEY[::-1])
    assert question.read_response(submitted, "o") is None
    assert question.grade(None) == Result(0.0, 1.0, "unanswered")


@pytest.mark.parametrize(
    ("response", "points", "outcome"),
    [
        (list(ORDER_KEY), 1.0, "correct"),
        (["Independence", "Constitution", "Reform", "First election"], 0.5, "partial"),
        (["Independence", "First election", "Constitution", "Reform"], 0.5, "partial"),
        (["Constitution", "First election", "Reform", "Independence"], 0.0, "wrong"),
        (list(ORDER_KEY[::-1]), 0.0, "wrong"),
    ],
)
def test_ordering_earns_one_share_per_item_in_its_right_absolute_place(
    response: list[str], points: float, outcome: str
) -> None:
    assert ordering().grade(response) == Result(points, 1.0, outcome)


def test_ordering_share_scales_with_points() -> None:
    question = Ordering(id="o", prompt="P", answer=ORDER_KEY, points=4)
    assert question.grade(["Independence", "Reform", "First election", "Constitution"]) == Result(
        2.0, 4.0, "partial"
    )


# --- matching ----------------------------------------------------------------------------------------


def test_matching_options_are_sorted_case_insensitively_with_distractors() -> None:
    question = matching(distractors=("georgia", "armenia"))
    assert question.options == ("armenia", "Belarus", "georgia", "Kazakhstan", "Kyrgyzstan")


def test_matching_options_list_a_right_shared_by_two_lefts_once() -> None:
    question = matching(
        answer=(("Putin", "Russia"), ("Medvedev", "Russia"), ("Lukashenko", "Belarus")),
        distractors=("Russia",),
    )
    assert question.options == ("Belarus", "Russia")


def test_matching_presents_every_left_once() -> None:
    for seed in range(20):
        assert sorted(matching(seed).lefts) == sorted(left for left, _ in PAIRS)


def test_matching_without_shuffle_keeps_the_authored_lefts() -> None:
    question = Matching(id="m", prompt="P", answer=PAIRS).presented(seeded(1), shuffle=False)
    assert isinstance(question, Matching)
    assert question.lefts == ("Tokayev", "Lukashenko", "Japarov")


def test_matching_reads_an_option_index_per_presented_left() -> None:
    question = matching(seed=5)
    assert question.options == ("Belarus", "Georgia", "Kazakhstan", "Kyrgyzstan")
    submitted = form(*((f"m-{i}", "1") for i in range(len(question.lefts))))
    assert question.read_response(submitted, "m") == dict.fromkeys(question.lefts, "Georgia")
    assert question.read_response(match_form(question, dict(PAIRS)), "m") == dict(PAIRS)


def test_matching_reads_only_the_lefts_that_were_answered() -> None:
    question = matching()
    submitted = match_form(question, {"Tokayev": "Kazakhstan"})
    assert question.read_response(submitted, "m") == {"Tokayev": "Kazakhstan"}


@pytest.mark.parametrize("submitted", [form(), form(("m-0", ""), ("m-1", ""), ("m-2", ""))])
def test_matching_with_every_left_blank_reads_as_none(submitted: MultiDict) -> None:
    question = matching()
    assert question.read_response(submitted, "m") is None
    assert question.grade(None) == Result(0.0, 1.0, "unanswered")


@pytest.mark.parametrize("raw", ["4", "99", "-1", "x", "²"])
def test_matching_with_a_bad_option_index_raises_response_error(raw: str) -> None:
    question = matching()
    with pytest.raises(ResponseError, match="Choose"):
        question.read_response(form(("m-0", "0"), ("m-1", raw)), "m")


@pytest.mark.parametrize(
    ("response", "points", "outcome"),
    [
        (dict(PAIRS), 3.0, "correct"),
        ({"Tokayev": "Kazakhstan", "Lukashenko": "Belarus", "Japarov": "Georgia"}, 2.0, "partial"),
        ({"Tokayev": "Kazakhstan"}, 1.0, "partial"),
        ({"Tokayev": "Belarus", "Lukashenko": "Kazakhstan", "Japarov": "Georgia"}, 0.0, "wrong"),
    ],
)
def test_matching_earns_one_share_per_right_pair(
    response: dict[str, str], points: float, outcome: str
) -> None:
    assert matching(points=3).grade(response) == Result(points, 3.0, outcome)


def test_matching_share_is_a_fraction_of_the_points() -> None:
    result = matching().grade({"Tokayev": "Kazakhstan", "Lukashenko": "Belarus"})
    assert result.outcome == "partial"
    assert result.points == pytest.approx(2 / 3, abs=1e-6)


# --- snapshots ---------------------------------------------------------------------------------------


def every_type() -> list[tuple[Question, MultiDict]]:
    """One presented question of every type, with a form that answers it (partly right where possible)."""
    common = {"explanation": "Because.", "source": (2,), "tags": ("history", "capitals")}
    rng = seeded(11)
    questions: list[Question] = [
        SingleChoice(
            id="single",
            prompt="P",
            choices=("A", "B", "C"),
            answer="A",
            feedback_by_choice={"B": "no"},
            **common,
        ),
        MultipleChoice(
            id="multi", prompt="P", choices=("A", "B", "C", "D"), answer=("A", "C"), points=2, **common
        ),
        TrueFalse(
            id="tf", prompt="P", answer=False, feedback_by_choice={"true": "no", "false": "yes"}, **common
        ),
        ShortText(id="text", prompt="P", answer=("Osh", "Ош"), **common),
        Numeric(id="num", prompt="P", answer=1992.0, tolerance=0.5, unit="years", **common),
        Ordering(id="order", prompt="P", answer=ORDER_KEY, **common),
        Matching(id="match", prompt="P", answer=PAIRS, distractors=("Georgia",), **common),
    ]
    forms = [
        form(("f", "1")),
        form(("f", "0"), ("f", "1"), ("f", "2")),
        form(("f", "false")),
        form(("f", "«osh»")),
        form(("f", "1992,4 years")),
        form(("f-0", "2"), ("f-1", "1"), ("f-2", "4"), ("f-3", "3")),
        form(("f-0", "2"), ("f-1", "0"), ("f-2", "1")),
    ]
    return [(q.presented(rng, shuffle=True), f) for q, f in zip(questions, forms, strict=True)]


EVERY_TYPE = every_type()


def test_every_type_is_covered_by_the_snapshot_cases() -> None:
    assert sorted(q.type for q, _ in EVERY_TYPE) == sorted(
        ["single", "multi", "true_false", "text", "numeric", "order", "match"]
    )


@pytest.mark.parametrize(("question", "submitted"), EVERY_TYPE, ids=[q.type for q, _ in EVERY_TYPE])
def test_snapshot_round_trips_through_json_to_an_equal_question(
    question: Question, submitted: MultiDict
) -> None:
    snapshot = question.snapshot()
    assert snapshot["type"] == question.type
    stored = json.loads(json.dumps(snapshot))
    assert from_snapshot(snapshot) == question
    assert from_snapshot(stored) == question


@pytest.mark.parametrize(("stored", "citations"), [(5, (5,)), (None, ()), ([2, "header"], (2, "header"))])
def test_a_snapshot_stored_before_multi_paragraph_citations_reads_back_as_a_tuple(stored, citations):
    snapshot = {"type": "true_false", "id": "q", "prompt": "P", "answer": True, "source": stored}
    assert from_snapshot(json.loads(json.dumps(snapshot))).source == citations


@pytest.mark.parametrize(("question", "submitted"), EVERY_TYPE, ids=[q.type for q, _ in EVERY_TYPE])
def test_round_tripped_question_reads_and_grades_a_response_the_same(
    question: Question, submitted: MultiDict
) -> None:
    restored = from_snapshot(json.loads(json.dumps(question.snapshot())))
    response = question.read_response(submitted, "f")
    assert response is not None
    assert restored.read_response(submitted, "f") == response
    stored_response = json.loads(json.dumps(response))
    assert restored.grade(stored_response) == question.grade(response)
    assert restored.answer_text() == question.answer_text()
    assert restored.response_text(stored_response) == question.response_text(response)
    assert restored.feedback(stored_response) == question.feedback(response)


# --- overall grade -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected"), [("highest", 0.9), ("last", 0.7), ("first", 0.5), ("average", 0.7)]
)
def test_overall_grade_applies_the_grading_policy(policy: str, expected: float) -> None:
    assert overall_grade([0.5, 0.9, 0.7], policy) == pytest.approx(expected)


@pytest.mark.parametrize("policy", ["highest", "last", "first", "average"])
def test_overall_grade_of_no_attempts_is_none(policy: str) -> None:
    assert overall_grade([], policy) is None


@pytest.mark.parametrize("policy", ["best", "Highest", ""])
def test_overall_grade_with_an_unknown_policy_raises_value_error(policy: str) -> None:
    with pytest.raises(ValueError, match="unknown grading policy"):
        overall_grade([0.5, 0.9], policy)


# --- wording on the result page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (single(), "A"),
        (multi(choices=("D", "B", "C", "A")), "B; A"),
        (TrueFalse(id="t", prompt="P", answer=True), "True"),
        (TrueFalse(id="t", prompt="P", answer=False), "False"),
        (ShortText(id="s", prompt="P", answer=("Osh",)), "Osh"),
        (
            ShortText(id="s", prompt="P", answer=("Bishkek", "Frunze", "Pishpek")),
            "Bishkek (also accepted: Frunze; Pishpek)",
        ),
        (Numeric(id="n", prompt="P", answer=1992.0), "1992"),
        (Numeric(id="n", prompt="P", answer=2.5), "2.5"),
        (Numeric(id="n", prompt="P", answer=10.0, tolerance=0.5), "10 (± 0.5)"),
        (Numeric(id="n", prompt="P", answer=1992.0, tolerance=1.0, unit="years"), "1992 (± 1) years"),
        (Numeric(id="n", prompt="P", answer=3.14159265), "3.14159265"),
        (Numeric(id="n", prompt="P", answer=1234567.5), "1234567.5"),
        (ordering(), "Independence → Constitution → First election → Reform"),
        (
            Matching(id="m", prompt="P", answer=PAIRS[:2]),
            "Tokayev → Kazakhstan; Lukashenko → Belarus",
        ),
    ],
)
def test_answer_text_is_readable(question: Question, expected: str) -> None:
    assert question.answer_text() == expected


@pytest.mark.parametrize(
    ("question", "response", "expected"),
    [
        (single(), "B", "B"),
        (single(), None, ""),
        (multi(), ["A", "C"], "A; C"),
        (multi(), None, ""),
        (TrueFalse(id="t", prompt="P", answer=True), False, "False"),
        (TrueFalse(id="t", prompt="P", answer=True), None, ""),
        (ShortText(id="s", prompt="P", answer=("Osh",)), "osh.", "osh."),
        (Numeric(id="n", prompt="P", answer=1992.0), 1992.0, "1992"),
        (Numeric(id="n", prompt="P", answer=1992.0, unit="years"), 1992.0, "1992 years"),
        (Numeric(id="n", prompt="P", answer=2.5), 2.5, "2.5"),
        (Numeric(id="n", prompt="P", answer=2.5), -3.0, "-3"),
        (Numeric(id="n", prompt="P", answer=2.5), None, ""),
        (Numeric(id="n", prompt="P", answer=1234567.0), 1234567.5, "1234567.5"),
        (Numeric(id="n", prompt="P", answer=3.14159265), 3.141592, "3.141592"),
        (
            ordering(),
            ["Reform", "Independence", "Constitution", "First election"],
            "Reform → Independence → Constitution → First election",
        ),
        (ordering(), None, ""),
        (
            Matching(id="m", prompt="P", answer=PAIRS[:2]),
            {"Lukashenko": "Georgia"},
            "Tokayev → —; Lukashenko → Georgia",
        ),
        (Matching(id="m", prompt="P", answer=PAIRS[:2]), None, ""),
    ],
)
def test_response_text_is_readable(question: Question, response: object, expected: str) -> None:
    assert question.response_text(response) == expected


def test_numeric_response_that_was_graded_wrong_never_reads_the_same_as_the_answer() -> None:
    question = Numeric(id="n", prompt="P", answer=3.14159265)
    assert question.grade(3.141592).outcome == "wrong"
    assert question.response_text(3.141592) != question.answer_text()
