"""Accounts: users, passwords, sessions' epochs, API tokens, licences, quotas, admin.

An app-level package: it works on the catalog through a unit of work and never imports
a web framework. Use :class:`~entrepot.accounts.service.AccountService`,
:class:`~entrepot.accounts.licences.LicenceService` and
:class:`~entrepot.accounts.admin.AdminService`.
"""
