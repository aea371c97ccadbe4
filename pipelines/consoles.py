"""The two terminals every command prints to: results on standard output, errors and progress on
standard error. No emoji codes and no syntax highlighting: text from the data is printed as
written (callers escape rich markup in it)."""

from rich.console import Console

out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)
