"""The bank editor's forms: a new bank, the editor, one question, members and practice, an import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    ButtonField,
    FieldList,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from quizapp.forms import InlineForm, Printable, Visible, strip

#: What a bank member may do, as the sharing forms offer it.
ROLE_CHOICES = [
    SelectChoice("editor", "Editor: edits the bank"),
    SelectChoice("owner", "Owner: edits and shares the bank"),
]


class NewBankForm(FlaskForm):
    slug = StringField(
        "File name",
        filters=[strip],
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*\Z",
                message="Use lowercase letters, digits and hyphens, starting with a letter or digit.",
            ),
        ],
        description="Lowercase letters, digits and hyphens; the bank is saved as questions/NAME.yaml.",
    )
    title = StringField(
        "Title", filters=[strip], validators=[DataRequired(), Length(max=200), Printable(), Visible()]
    )


class EditorForm(FlaskForm):
    text = TextAreaField("Bank YAML", validators=[DataRequired(message="The bank is empty.")])
    #: Hash of the version the editor opened: a save over a newer one is refused.
    base = HiddenField()
    #: Hash of this host's file, when the editor opened its text (an edit with problems).
    disk = HiddenField()
    #: The button pressed: "save", "preview", else validate.
    action = ButtonField()


class RestoreForm(InlineForm):
    """A "Restore" button of the history page, one per older version."""

    #: Hash of the version current when the page was shown: a restore over a newer one is refused.
    base = HiddenField()


class QuestionForm(FlaskForm):
    """One question of any type: each type shows the inputs it names in ``form_fields`` and fills
    and reads them itself (``to_form``, ``from_form``)."""

    id = StringField(
        "Id",
        validators=[DataRequired(), Length(max=100)],
        description="Letters, digits, '-' and '_'. Scores refer to it, so it cannot change later.",
    )
    prompt = TextAreaField("Prompt", validators=[DataRequired()], render_kw={"rows": 3})
    choices = TextAreaField("Choices", description="One choice a line.", render_kw={"rows": 6})
    #: A choice type's choices, one a row (``choices`` and ``answer`` are made from these and
    #: ``right``); empty rows are left out.
    choice_rows = FieldList(StringField("Choice", filters=[strip]))
    #: The numbers (from 0) of the rows ticked as right.
    right = SelectMultipleField("Right", choices=[], validate_choice=False)
    answer = TextAreaField("Answer", render_kw={"rows": 4})
    truth = SelectField(
        "The statement is",
        choices=[SelectChoice("true", "True"), SelectChoice("false", "False")],
        validate_choice=False,
    )
    feedback = TextAreaField(
        "Feedback",
        description="Optional. One a line: choice = what to tell a learner who picks it.",
        render_kw={"rows": 4},
    )
    shuffle = BooleanField("Shuffle the choices in shuffled quizzes", default=True)
    tolerance = StringField("Tolerance", description="Right within ± this much; 0 for exact.")
    unit = StringField("Unit", description="Optional, shown beside the input (km, years).")
    wrong = TextAreaField(
        "Wrong answers",
        description="Optional. Known wrong answers, one a line: never accepted, even with typos forgiven.",
        render_kw={"rows": 3},
    )
    typos = StringField(
        "Typos forgiven",
        description="0 (exact, the default), 1 or 2: letters added, dropped, changed or swapped, "
        "in answers over 4 characters.",
    )
    distractors = TextAreaField("Extra wrong options", description="Optional. One a line.")
    points = StringField("Points", default="1")
    explanation = TextAreaField(
        "Explanation",
        description="Shown after submission: why the right answer is right.",
        render_kw={"rows": 4},
    )
    source = StringField(
        "Source",
        validators=[Length(max=200)],
        description="Optional. The paragraphs it cites, comma-separated, and header for the byline "
        "and standfirst: 5, or 2, 5, or header, 1.",
    )
    tags = StringField("Tags", description="Comma-separated.")
    #: The bank's quizzes that list their questions, ticked where this question is to be listed
    #: (the view offers them: any other is refused).
    quizzes = SelectMultipleField("In the quizzes", choices=[])
    #: Pressed for more empty choice rows: the form comes back as typed, nothing saved.
    add_rows = ButtonField()
    base = HiddenField()


class MemberForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[strip],
        validators=[DataRequired(), Length(max=40), Printable()],
        description="An instructor's account.",
    )
    role = SelectField("Role", choices=ROLE_CHOICES)


class MemberRowForm(InlineForm):
    """One member's row of the access page: their role (posted with a ``role`` as a MemberForm) and
    the button that removes them."""

    username = HiddenField(validators=[DataRequired()])


class PracticeForm(FlaskForm):
    practice = BooleanField(
        "Students may practise outside assignments",
        description="Off: students take its quizzes only where a class sets them, and study none of "
        "its flashcards.",
    )


class ImportForm(FlaskForm):
    """A file of another tool's questions or cards, and where they go: a new bank or one the user
    edits. The preview posts it again with the file's text in ``source``, to be saved."""

    file = FileField("File", description="Text in UTF-8, up to 1 MB.")
    #: The format the file is in; "" to let it be guessed (the view offers the registered ones).
    format = SelectField("Format", choices=[], validate_choice=False)
    #: The bank the items are added to; "" for a new bank (the view checks the user edits it).
    into = SelectField("Into", choices=[], validate_choice=False)
    slug = StringField(
        "New bank's file name",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=60),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*\Z",
                message="Use lowercase letters, digits and hyphens, starting with a letter or digit.",
            ),
        ],
        description="For a new bank: lowercase letters, digits and hyphens (questions/NAME.yaml). "
        "Empty: named as the file is.",
    )
    title = StringField(
        "New bank's title",
        filters=[strip],
        validators=[Optional(), Length(max=200), Printable(), Visible()],
        description="Optional: else the file's own title, or its name.",
    )
    #: The file's text, carried from the preview to the confirmation.
    source = HiddenField()
    filename = HiddenField()
    #: The button pressed: "confirm" saves, anything else previews.
    action = ButtonField()
