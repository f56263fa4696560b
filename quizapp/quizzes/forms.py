"""The learner's forms around an attempt: starting one, and a page of one as posted."""

from __future__ import annotations

from wtforms import ButtonField, HiddenField

from quizapp.forms import InlineForm, as_whole_number


class StartForm(InlineForm):
    """Start (or go back to) an attempt, in one of the settings the quiz page lists."""

    #: The setting's key (practice, or a class's assignment); none: the one the quiz page would pick.
    setting = HiddenField()


class AttemptForm(InlineForm):
    """A page of an attempt as posted: saved, autosaved or submitted. The answers are the question
    types' to read (``page_drafts``, ``read_answers``); this form holds the rest of the page."""

    #: The positions of the page's questions, "0,1,2"; absent from the summary's bare "Submit all".
    positions = HiddenField()
    #: The page's number, to come back to (a number that is not one: page 1).
    page = HiddenField(filters=[as_whole_number])
    #: The button pressed: "page-N", "qN" (a question's page), "summary", or "later" (leave).
    go = ButtonField()
