import pytest

from newsloom.accounts import AccountError, Accounts
from newsloom.store import Database, UserRepository

PASSWORD = "correct horse battery staple"


@pytest.fixture
def accounts(database_url):
    database = Database(database_url)
    yield Accounts(database)
    database.dispose()


def test_admin_is_created_with_an_argon2id_hash_and_signs_in(accounts):
    user, created = accounts.set_admin("editor", PASSWORD)
    assert created and user.role == "admin"
    with accounts.database.read() as session:
        _, stored = UserRepository(session).credentials("editor")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.sign_in("editor", PASSWORD).user == user
    assert accounts.sign_in("EDITOR", PASSWORD).status == "ok"  # names are case-insensitive


@pytest.mark.parametrize("username, password", [("editor", "wrong password!"), ("nobody", PASSWORD), ("editor", "x" * 5000)])
def test_refusals_never_say_which_part_was_wrong(accounts, username, password):
    accounts.set_admin("editor", PASSWORD)
    result = accounts.sign_in(username, password)
    assert result.status == "refused" and result.user is None and result.reason == "Wrong username or password."


def test_setting_the_admin_again_changes_the_password_and_ends_sessions(accounts):
    first, _ = accounts.set_admin("editor", PASSWORD)
    second, created = accounts.set_admin("editor", "a brand new passphrase")
    assert not created and second.id == first.id and second.session_epoch == first.session_epoch + 1
    assert accounts.sign_in("editor", PASSWORD).status == "refused"
    assert accounts.sign_in("editor", "a brand new passphrase").status == "ok"


@pytest.mark.parametrize("username, password", [("a", PASSWORD), ("has space", PASSWORD), ("-dash", PASSWORD), ("editor", "short")])
def test_bad_names_and_short_passwords_are_refused_clearly(accounts, username, password):
    with pytest.raises(AccountError):
        accounts.set_admin(username, password)
