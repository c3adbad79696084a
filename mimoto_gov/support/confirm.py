"""Typed confirmation before a command destroys something, for a person at a terminal."""

from __future__ import annotations

import sys


def typed_confirmation(warning: str, word: str = "DELETE") -> bool:
    """Print ``warning`` on stderr and ask the person to type ``word``; True only if they do.

    End of input (no terminal, Ctrl-D) counts as no.
    """
    print(warning, file=sys.stderr)
    try:
        answer = input(f"Type {word} to go ahead: ")
    except EOFError:
        return False
    return answer.strip() == word
