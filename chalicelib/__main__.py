"""``python -m chalicelib``: the command-line tool."""
from .cli import main

main()
