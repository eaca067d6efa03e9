import pytest
from sqlalchemy import text

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


def test_sign_up_refuses_a_taken_name_in_any_case_and_roles_are_checked(accounts):
    reader = accounts.sign_up("ann", PASSWORD)
    assert reader.role == "reader"
    with pytest.raises(AccountError, match="taken"):
        accounts.sign_up("ANN", PASSWORD)
    with pytest.raises(AccountError, match="a role is one of"):
        accounts.set_role("ann", "superuser")
    assert accounts.set_role("ann", "moderator").moderates


def test_api_tokens_are_stored_hashed_and_can_be_revoked(accounts):
    reader = accounts.sign_up("ann", PASSWORD)
    token = accounts.create_token(reader.id, "  my   bot ")
    assert accounts.user_for_token(token).id == reader.id
    assert accounts.user_for_token(token + "x") is None and accounts.user_for_token("not a token") is None
    [(token_id, label, _, used)] = accounts.tokens(reader.id)
    assert label == "my bot" and used is not None
    with accounts.database.read() as session:
        stored = session.execute(text("SELECT token_hash FROM api_tokens")).scalar_one()
    assert token not in stored and len(stored) == 64
    assert accounts.revoke_token(reader.id, token_id) and accounts.user_for_token(token) is None


def test_changing_the_password_needs_the_current_one(accounts):
    reader = accounts.sign_up("ann", PASSWORD)
    with pytest.raises(AccountError, match="current password is wrong"):
        accounts.change_password(reader.id, "not the password", "a brand new passphrase")
    changed = accounts.change_password(reader.id, PASSWORD, "a brand new passphrase")
    assert changed.session_epoch == reader.session_epoch + 1
    assert accounts.sign_in("ann", "a brand new passphrase").status == "ok"
