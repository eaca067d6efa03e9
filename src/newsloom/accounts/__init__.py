"""Accounts: sign-up and sign-in (argon2id), roles, password changes, deletion and API tokens."""

from newsloom.accounts.service import AccountError, Accounts, SignInResult

__all__ = ["AccountError", "Accounts", "SignInResult"]
