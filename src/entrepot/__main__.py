"""``python -m entrepot`` runs the command line."""

from entrepot.cli.main import run

if __name__ == "__main__":
    run()
