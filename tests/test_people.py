from __future__ import annotations

import pytest

from quizapp.accounts.operations import SignedIn
from quizapp.models import ROLES, User


@pytest.mark.parametrize("role", ROLES)
def test_the_signed_in_person_and_their_account_agree_on_what_the_role_allows(role):
    account = User(id=7, username="ada", display_name="Ada", role=role, session_generation=3)
    signed_in = SignedIn(7, "ada", "Ada", role, 3)
    assert (signed_in.is_instructor, signed_in.is_admin) == (account.is_instructor, account.is_admin)
    assert signed_in.is_instructor == (role != "student")
    assert signed_in.is_admin == (role == "admin")
    assert signed_in.get_id() == account.get_id() == "7.3"
