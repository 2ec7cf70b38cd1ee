"""`python -m toetreding …` — the same CLI, for when the script directory is not on PATH."""

from .cli import main

main()
