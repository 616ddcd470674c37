"""``python -m tickermap`` runs the CLI."""

from tickermap.cli import main

main()
