"""People in text: known names found in a linear pass, and mentions of one person.

:class:`NameFinder` finds the names a snapshot knows (users' first and last names, display
names from message headers) wherever they are written. A text is read once as a list of words;
every run of up to four words separated only by white space is looked up in a table of full
names, so the cost grows with the text, not with the number of names. Single words (a first
name in "Hi Olivia,") are matched only when capitalised and only from the list the caller
gives for that text: a word list for a whole snapshot would take "Will" or "May" for a name
everywhere.

:func:`possible_mentions` lists messages that may be about a person without naming their
address: their phone number or full name in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from mimoto_gov.pii.text import phone_key

# A word of a name: letters, with inner apostrophes or hyphens (O'Connor, Smith-Jones).
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
MAX_WORDS = 4
TEXT_FIELDS = ("subject", "body")


def name_key(name: object) -> str:
    """Return a name as the finder compares it: its words, lower-cased, single-spaced."""
    if not isinstance(name, str):
        return ""
    return " ".join(w.lower() for w in _WORD.findall(name))


class NameFinder:
    """Find known full names, and given single words, in text (linear in the text).

    Args:
        full_names: names of two to four words ("Olivia Ross", "Mary Ann de Vere").
        ignore: names never reported (the person's own, staff).

    """

    def __init__(self, full_names: Iterable[str], ignore: Iterable[str] = ()):
        ignored = {name_key(n) for n in ignore}
        self.full = {
            key
            for key in map(name_key, full_names)
            if key and " " in key and key.count(" ") < MAX_WORDS and key not in ignored
        }
        # a run of words is looked up only when its first word starts a known name
        self.first_words = {key.split(" ", 1)[0] for key in self.full}

    def find(self, text: str, words: Iterable[str] = ()) -> list[tuple[int, int, str]]:
        """Every known name in ``text``: ``(start, end, value)``, longest first, left to right.

        Args:
            text: the text to read.
            words: single capitalised words that are names in this text (the first and last
                names of the people on the ticket it belongs to).

        """
        if not isinstance(text, str) or not text:
            return []
        single = {w for w in words if w and len(w) > 1}
        tokens = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        found = []
        i = 0
        while i < len(tokens):
            start, end = tokens[i]
            word = text[start:end]
            size = 0
            if word.lower() in self.first_words:
                size = self._full_name_at(text, tokens, i)
            if size:
                end = tokens[i + size - 1][1]
                found.append((start, end, text[start:end]))
                i += size
                continue
            if single and word[:1].isupper() and (word in single or word.title() in single):
                found.append((start, end, word))
            i += 1
        return found

    def _full_name_at(self, text: str, tokens: list[tuple[int, int]], i: int) -> int:
        """How many words from token ``i`` make a known full name (0: none), longest first."""
        keys = [text[tokens[i][0] : tokens[i][1]].lower()]
        for j in range(i + 1, min(i + MAX_WORDS, len(tokens))):
            gap = text[tokens[j - 1][1] : tokens[j][0]]
            if not gap or len(gap) > 3 or not gap.isspace():
                break
            keys.append(text[tokens[j][0] : tokens[j][1]].lower())
        for size in range(len(keys), 1, -1):
            if " ".join(keys[:size]) in self.full:
                return size
        return 0


def _phone_pattern(number: str) -> str | None:
    """Build a regex for a UK number however written (+44 or 0 prefix, a few separators).

    Separators are bounded ({0,3}) so that a long run of spaces or dots cannot make the
    search backtrack over the rest of a body.
    """
    key = phone_key(number)
    if not key.startswith("+44") or len(key) < 12:
        return None
    digits = key[3:]
    sep = r"[\s().-]{0,3}"
    separated = sep.join(digits)
    return rf"(?<!\d)(?:(?:\+|00)44{sep}(?:\(0\){sep})?|0){sep}{separated}(?!\d)"


def possible_mentions(
    articles: pd.DataFrame, users: pd.DataFrame, tickets: pd.DataFrame
) -> pd.DataFrame:
    """Articles on other tickets that may be about the person without naming their address.

    A body or subject holding their phone number (from their user records) or their full
    name. Neither proves it is them (an office switchboard, a namesake), so these are listed
    for staff to decide, not put in the package.

    Args:
        articles: the articles not already found (other people's tickets).
        users: the person's user records.
        tickets: every ticket (for the numbers).

    Returns:
        ``ticket_id, ticket_number, article_id, field, by`` ("phone" or "name").

    """
    columns = ["ticket_id", "ticket_number", "article_id", "field", "by"]
    patterns: dict[str, str] = {}
    for column in ("phone", "mobile"):
        for value in users.get(column, pd.Series(dtype=object)).dropna():
            pattern = _phone_pattern(str(value)) if str(value).strip() else None
            if pattern:
                patterns[pattern] = "phone"
    names = {
        f"{first} {last}".strip().lower()
        for first, last in zip(users["firstname"], users["lastname"], strict=True)
        if isinstance(first, str) and isinstance(last, str) and first.strip() and last.strip()
    }
    rows = []
    for column in TEXT_FIELDS:
        if column not in articles:
            continue
        text = articles[column].astype("string")
        hits: dict[str, pd.Series] = {}
        for pattern, by in patterns.items():
            hits[by] = hits.get(by, False) | text.str.contains(pattern, regex=True).fillna(False)
        lowered = text.str.lower()
        for name in names:
            hits["name"] = hits.get("name", False) | lowered.str.contains(name, regex=False)
        for by, hit in hits.items():
            for ticket_id, article_id in articles.loc[
                hit.fillna(False), ["ticket_id", "id"]
            ].values:
                rows.append((ticket_id, article_id, column, by))
    numbers = dict(zip(tickets["id"], tickets["number"], strict=True))
    frame = pd.DataFrame(
        [(t, numbers.get(t), a, f, b) for t, a, f, b in rows], columns=columns
    ).sort_values(["ticket_id", "article_id", "field", "by"], ignore_index=True)
    return frame
