"""Accounts: password hashing (argon2id) and sign-in. Only the admin exists until comments land."""

from newsloom.accounts.service import AccountError, Accounts, SignInResult

__all__ = ["AccountError", "Accounts", "SignInResult"]
