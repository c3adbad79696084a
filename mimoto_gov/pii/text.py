"""Reading text as it is stored: the visible text of HTML, address-shaped tokens, phone keys.

Both are linear in the length of the text, whatever it holds: a body of a megabyte with
thousands of unclosed comments or long runs without an ``@`` is read in a few passes.
"""

from __future__ import annotations

import functools
import html
import re

import phonenumbers

# What opens a block whose end is found by a plain search: a script or style element (its
# content is not text) and a comment.
_BLOCK_OPEN = re.compile(r"<(?:(script|style)\b|!--)", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(r"\s*>")
# A tag: [^<>]* stops at the next bracket, so no attempt reads past the next tag.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")

# Loose on purpose: any address-shaped token in a header or a body. The local part may hold
# every character RFC 5322 allows unquoted; it is read from the start of its run only (the
# look-behind) and is at most 64 characters, and each domain label at most 63, so no attempt
# can run over the rest of a long text.
_ADDRESS_CHARS = r"A-Za-z0-9.!#$%&'*+/=?^_`{|}~-"
_ADDRESS = re.compile(
    rf"(?<![{_ADDRESS_CHARS}])[{_ADDRESS_CHARS}]{{1,64}}@[A-Za-z0-9-]{{1,63}}"
    r"(?:\.[A-Za-z0-9-]{1,63})+"
)
_ADDRESS_EDGES = "<>.'\" "


def strip_html(text: str) -> str:
    """Return the visible text of an HTML fragment: tags become spaces, entities are decoded.

    Args:
        text: an HTML fragment such as a ``text/html`` article body.

    Returns:
        The text with ``<script>``/``<style>`` blocks and all tags replaced by a space.

    """
    if "<" not in text:
        return html.unescape(text)
    parts: list[str] = []
    position = 0
    for start, end in _blocks(text):
        parts.append(_TAG.sub(" ", text[position:start]))
        parts.append(" ")
        position = end
    parts.append(_TAG.sub(" ", text[position:]))
    return html.unescape("".join(parts))


def _blocks(text: str):
    """Yield ``(start, end)`` of each script or style element and comment, left to right.

    An element's end is searched for once from its start; one that never ends is not a block
    (its tags are then stripped like any other), and later openers of the same kind are not
    searched again, so the whole pass reads the text a bounded number of times.
    """
    lowered = text.lower()
    unclosed: set[str] = set()
    position = 0
    while True:
        opener = _BLOCK_OPEN.search(text, position)
        if opener is None:
            return
        name = (opener.group(1) or "").lower()
        closer = "-->" if not name else f"</{name}"
        if closer in unclosed:
            position = opener.end()
            continue
        if name:
            head_end = text.find(">", opener.end())
            search_from = head_end + 1 if head_end != -1 else -1
        else:
            search_from = opener.end()
        end = _closing(text, lowered, closer, search_from)
        if end == -1:
            unclosed.add(closer)
            position = opener.end()
            continue
        yield opener.start(), end
        position = end


def _closing(text: str, lowered: str, closer: str, start: int) -> int:
    """Return the offset just past ``closer`` (with its ``>``) found from ``start``, or -1."""
    while start != -1:
        found = lowered.find(closer, start)
        if found == -1:
            return -1
        after = found + len(closer)
        if closer == "-->":
            return after
        tail = _BLOCK_CLOSE.match(text, after)
        if tail is not None:
            return tail.end()
        start = after
    return -1


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` contains at least one HTML tag or comment."""
    return "<" in text and ("<!--" in text or _TAG.search(text) is not None)


def find_addresses(text: str) -> list[tuple[int, int, str]]:
    """Every email-address-shaped token in a text, with its offsets, in order.

    Loose on purpose (header fields hold "Name <a@b>", lists, odd quoting); the caller
    validates. Linear in the length of the text.

    Args:
        text: a header value or a body.

    Returns:
        ``(start, end, value)`` for each token, edges (``<>.'"``) trimmed.

    """
    if not isinstance(text, str) or "@" not in text:
        return []
    found = []
    for match in _ADDRESS.finditer(text):
        start, end = match.span()
        while start < end and text[start] in _ADDRESS_EDGES:
            start += 1
        while end > start and text[end - 1] in _ADDRESS_EDGES:
            end -= 1
        found.append((start, end, text[start:end]))
    return found


_NOT_DIGITS = re.compile(r"\D")


@functools.lru_cache(maxsize=8192)
def phone_key(text: str) -> str:
    """Return a phone number in E.164 form (UK by default) to compare numbers however written.

    ``07700 900123``, ``+44 (0)7700-900-123`` and ``00447700900123`` give the same key; text
    libphonenumber cannot read gives its digits.
    """
    try:
        number = phonenumbers.parse(text, "GB")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return _NOT_DIGITS.sub("", text)
