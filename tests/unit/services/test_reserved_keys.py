"""The web service's folder is reserved in every spelling a case-insensitive, width-folding
folder (or an eye) would take for it (issue 28: `USERS/`, ` users/` and `ｕｓｅｒｓ/` were
written without --force, and collide with `users/` on a case-insensitive local folder)."""

from __future__ import annotations

import pytest

from entrepot.errors import AccessDenied
from entrepot.services.reserved_keys import refuse_reserved, reserved_folder


@pytest.mark.parametrize(
    "key",
    [
        "users/7/a.csv",
        "USERS/7/a.csv",
        "Users/a.csv",
        " users/a.csv",
        "users /a.csv",
        "users./a.csv",
        "ｕｓｅｒｓ/a.csv",
        "us\u200bers/a.csv",
        "users%2Fa.csv",
        "/users/a.csv",
        "users",
        "USERS",
    ],
)
def test_every_spelling_of_the_users_folder_is_reserved(key: str) -> None:
    assert reserved_folder(key) == "users"
    with pytest.raises(AccessDenied, match="refuses keys under users/"):
        refuse_reserved([key], "put", force=False)
    refuse_reserved([key], "put", force=True)  # --force still lets an operator through


@pytest.mark.parametrize("key", ["files/users/a.csv", "user/a.csv", "users2/a.csv", "usr/a"])
def test_other_folders_are_not(key: str) -> None:
    assert reserved_folder(key) is None
    refuse_reserved([key], "put", force=False)
