"""Read a page's HTML for what it loads: scripts, frames, images, stylesheets, media.

Parsed with the standard library's HTML parser; nothing is executed. Inline scripts are
searched for the URLs a loader writes (the Gaug.es snippet builds its ``<script>`` from
JavaScript), JSON-LD and templates are data and are skipped, and ``style`` attributes and
blocks give their ``url(...)`` references. The visible text (and link targets) is kept too:
it is the evidence of a cookie notice and of a way to object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_INLINE_URL = re.compile(
    r"""(?:https?:)?//([A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?)(/[^\s'"<>)]*)?"""
)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass
class ParsedPage:
    """What a page loads and says.

    Attributes:
        title: the ``<title>``, white space collapsed.
        text: the visible text and link targets, white space collapsed.
        found: ``(kind, raw URL)`` of every resource it loads, in order.

    """

    title: str = ""
    text: str = ""
    found: list[tuple[str, str]] = field(default_factory=list)


def parse_page(html: str) -> ParsedPage:
    """Parse a page's HTML (see the module docstring)."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return ParsedPage(
        title=" ".join(parser.title.split()),
        text=" ".join(" ".join(parser.text).split()),
        found=parser.found,
    )


class _PageParser(HTMLParser):
    """Collect loaded resources, inline loader URLs, the title and the visible text."""

    _SRC = {
        "script": ("src",),
        "iframe": ("src",),
        "frame": ("src",),
        "img": ("src", "srcset"),
        "source": ("src", "srcset"),
        "embed": ("src",),
        "object": ("data",),
        "video": ("src", "poster"),
        "audio": ("src",),
        "track": ("src",),
        "input": ("src",),
    }
    _LINK_RELS = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (kind, raw url)
        self.text: list[str] = []
        self.title = ""
        self._in: list[str] = []
        self._script: list[str] = []
        self._script_is_code = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for attribute in self._SRC.get(tag, ()):
            raw = values.get(attribute, "").strip()
            if not raw:
                continue
            if attribute == "srcset":
                for candidate in raw.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.found.append((tag, url))
            else:
                self.found.append((tag, raw))
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & self._LINK_RELS and values.get("href"):
                kind = "stylesheet" if "stylesheet" in rels else "link"
                self.found.append((kind, values["href"].strip()))
        style = values.get("style", "")
        for url in _CSS_URL.findall(style):
            self.found.append(("style", url))
        if tag in ("script", "style", "title", "noscript"):
            self._in.append(tag)
            if tag == "script":
                self._script = []
                # JSON-LD and templates are data: the URLs in them are not loaded
                kind = values.get("type", "").lower()
                self._script_is_code = not ("json" in kind or "template" in kind)
        if tag == "a":
            # link targets count as information (a "cookie policy" or "opt out" link)
            self.text.append(values.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
            if tag == "script" and self._script_is_code:
                for host, path in _INLINE_URL.findall("".join(self._script)):
                    self.found.append(("script (inline loader)", f"//{host}{path or '/'}"))

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if where == "script":
            self._script.append(data)
        elif where == "style":
            for url in _CSS_URL.findall(data):
                self.found.append(("style", url))
        elif where == "title":
            self.title += data
        else:
            self.text.append(data)
