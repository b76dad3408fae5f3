"""The command line on a deployed service: ``entrepot login URL`` (or ``ENTREPOT_URL`` with
``ENTREPOT_TOKEN``), then the user's commands go through the HTTP API (ADR 0051).

``target.py`` says which instance a command works on, ``login_file.py`` keeps the login,
``client.py`` speaks HTTP (bounded, with timeouts, its failures the CLI's errors),
``guard.py`` refuses the operator commands, and one module per area renders what the API
answers as the local command prints it.
"""
