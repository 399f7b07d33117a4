"""``python -m chalicelib``: the command-line tool."""

from chalicelib.cli import main

main()
