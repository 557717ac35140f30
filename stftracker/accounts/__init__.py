"""Accounts: log in and out, passwords, the account page, and API tokens and how they authenticate."""
