"""Accounts: users, API tokens, licences, login attempts and the admin audit log."""
