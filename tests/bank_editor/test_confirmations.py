"""A bank's destructive buttons ask first, without JavaScript: archiving it, restoring an older
version, removing an owner or editor. The first click changes nothing and says what will happen and
what is kept; the confirmation page's own button does it; Cancel leads back where the button was."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.factories import (
    BANKS,
    csrf_token,
    form_with,
    forms,
    login,
    make_instructor,
    own,
    revision_rows,
    save_through_editor,
    text,
    text_of,
)


@pytest.fixture
def instructor(app, client: FlaskClient) -> FlaskClient:
    """prof, owner of every-type, with prof2 as its editor."""
    make_instructor(app, "prof")
    make_instructor(app, "prof2")
    own(app, "every-type")
    own(app, "every-type", "prof2", "editor")
    assert login(client, "prof").status_code == 302
    return client


def press(client, page_url: str, action: str, **extra: str):
    """The button of ``page_url`` whose form posts to a URL containing ``action``, clicked once."""
    page = text(client.get(page_url))
    url = re.search(rf'action="([^"]*{re.escape(action)}[^"]*)"', page).group(1)
    fields = {**form_with(page, action=action), **extra}
    assert "confirm" not in fields, "the button must not confirm by itself"
    return url, client.post(url, data=fields)


def confirm(client, url: str, asked):
    return client.post(url, data=form_with(text(asked), action=url))


def cancel_link(asked) -> str:
    return re.search(r'<a href="([^"]+)">Cancel</a>', text(asked)).group(1)


def test_archiving_asks_first_saying_what_students_lose_and_what_is_kept(instructor, app, banks_dir):
    url, asked = press(instructor, f"{BANKS}/", "/every-type/archive")

    assert asked.status_code == 200
    page = text_of(asked)
    assert "Archive the bank Every type (every-type.yaml)?" in page
    assert "Students no longer see its quizzes or study its cards" in page
    assert "Every attempt and score, and every version of the file" in page
    assert cancel_link(asked) == f"{BANKS}/"
    assert (banks_dir / "every-type.yaml").exists()
    assert [r["action"] for r in revision_rows(app)] == ["disk"]

    done = confirm(instructor, url, asked)
    assert done.status_code == 302
    assert not (banks_dir / "every-type.yaml").exists()
    assert [r["action"] for r in revision_rows(app)] == ["disk", "archive"]


def test_restoring_a_version_asks_first_and_keeps_the_base_it_was_clicked_with(instructor, app, banks_dir):
    save_through_editor(instructor, lambda t: t.replace("title: Every type", "title: Version two", 1))
    first = revision_rows(app)[0]
    url, asked = press(instructor, f"{BANKS}/every-type/history", f"/history/{first['id']}/restore")

    page = text_of(asked)
    assert f"Restore version #{first['id']} of every-type.yaml?" in page
    assert "The current version stays in the history" in page
    assert cancel_link(asked) == f"{BANKS}/every-type/history"
    assert "title: Version two" in (banks_dir / "every-type.yaml").read_text()
    assert [r["action"] for r in revision_rows(app)] == ["disk", "save"]

    assert confirm(instructor, url, asked).status_code == 302
    assert (banks_dir / "every-type.yaml").read_text() == first["text"]
    assert [r["action"] for r in revision_rows(app)] == ["disk", "save", "restore"]


def test_a_confirmed_restore_over_a_version_saved_meanwhile_is_a_conflict(instructor, app, banks_dir):
    save_through_editor(instructor, lambda t: t.replace("title: Every type", "title: Version two", 1))
    first = revision_rows(app)[0]
    url, asked = press(instructor, f"{BANKS}/every-type/history", f"/history/{first['id']}/restore")
    latest = save_through_editor(instructor, lambda t: t.replace("title: Every type", "title: Newer", 1))

    assert confirm(instructor, url, asked).status_code == 409
    assert (banks_dir / "every-type.yaml").read_text() == latest


def members_listed(client) -> list[str]:
    return re.findall(
        r'<span class="meta">([^<]+)</span></th>', text(client.get(f"{BANKS}/every-type/access"))
    )


def test_removing_a_member_asks_first_naming_them_and_only_the_confirmation_removes_them(instructor):
    page = text(instructor.get(f"{BANKS}/every-type/access"))
    url = f"{BANKS}/every-type/access/remove"
    row = next(f for f in forms(page) if f["action"] == url and f["fields"]["username"] == "prof2")

    asked = instructor.post(url, data=row["fields"])
    assert asked.status_code == 200
    page = text_of(asked)
    assert "Remove prof2 from every-type.yaml?" in page
    assert "will no longer edit this bank" in page
    assert "The bank and its versions; the quizzes already set from it" in page
    assert cancel_link(asked) == f"{BANKS}/every-type/access"
    assert form_with(text(asked), action=url)["username"] == "prof2"
    assert sorted(members_listed(instructor)) == ["prof", "prof2"]

    assert confirm(instructor, url, asked).status_code == 302
    assert members_listed(instructor) == ["prof"]


def test_asking_to_remove_someone_who_is_not_a_member_says_so(app, instructor):
    make_instructor(app, "prof3")
    page = text(instructor.get(f"{BANKS}/every-type/access"))
    response = instructor.post(
        f"{BANKS}/every-type/access/remove", data={"csrf_token": csrf_token(page), "username": "prof3"}
    )
    assert response.status_code == 422
    assert "'prof3' is not an owner or editor of every-type." in text_of(response)
    assert 'name="confirm"' not in text(response)


@pytest.mark.parametrize("target", ["/every-type/archive", "/every-type/access/remove"])
def test_a_confirmation_without_the_csrf_token_is_refused_and_changes_nothing(instructor, banks_dir, target):
    data = {"confirm": "yes", "username": "prof2"}
    assert instructor.post(f"{BANKS}{target}", data=data).status_code == 400
    assert instructor.post(f"{BANKS}{target}", data={**data, "csrf_token": "forged"}).status_code == 400
    assert (banks_dir / "every-type.yaml").exists()
    assert "prof2" in text(instructor.get(f"{BANKS}/every-type/access"))


def test_the_last_owner_is_refused_at_once_not_asked_to_confirm(instructor):
    page = text(instructor.get(f"{BANKS}/every-type/access"))
    response = instructor.post(
        f"{BANKS}/every-type/access/remove", data={"csrf_token": csrf_token(page), "username": "prof"}
    )

    assert response.status_code == 422
    assert "'prof' is the last owner of every-type: make someone else an owner first." in text_of(response)
    assert 'name="confirm"' not in text(response)
    assert sorted(members_listed(instructor)) == ["prof", "prof2"]
