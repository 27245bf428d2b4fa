"""``python -m matcher.cli``: the command line without the console script."""

from matcher.cli import main

main()
