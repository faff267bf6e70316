"""``python -m itsm_prm`` runs the CLI."""

from itsm_prm.cli import main

if __name__ == "__main__":
    main()
