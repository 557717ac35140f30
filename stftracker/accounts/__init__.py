"""Accounts: log in (the password, then a code when the user has a second factor) and out,
passwords and their rules, the second factor and the admin site's need of it, lock-outs after
failed log-ins, idle sessions, the account page, and API tokens and how they authenticate."""
