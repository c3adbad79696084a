"""Spotting a rights request written in plain words in a customer's message.

People rarely write "subject access request": they write "please delete my account and all
my data" or "send me a copy of the information you hold about me". The UK GDPR does not
require the right to be named, and the one-month clock starts on receipt, so such a message
must be noticed. :func:`detect` reads one message and returns what it seems to ask for:
access, erasure, rectification, restriction, portability, objection, unsubscribe (an
objection to direct marketing) or automated decisions, with the phrase that matched.

The rules are patterns over the message's sentences, built to miss no plain request while
leaving ordinary support alone ("how do I export my invoices", "delete a project", "a copy of
invoice 123"): a request is about the person's own data or account, so the patterns need
"my", "me" or "about me", and a sentence asking how to do something oneself ("how do I
delete my account?") or saying not to ("do not delete my account") is not a request. Quoted
earlier mail is left out. ``benchmarks/intake.py`` measures precision and recall on a
labelled set of ticket texts (``tests/fixtures/intake/labelled.yml``); the figures are in
``docs/benchmarks.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mimoto_gov.pii.scan import looks_like_html, strip_html

# What a detected kind is recorded as in the request register.
REGISTER_KINDS = {
    "access": "access",
    "erasure": "erasure",
    "rectification": "rectification",
    "restriction": "restriction",
    "portability": "portability",
    "objection": "objection",
    "unsubscribe": "objection",
    "automated-decisions": "automated-decisions",
}
DETECTED_KINDS = tuple(REGISTER_KINDS)
PHRASE_MAX_CHARS = 160

_MY = r"(?:my|all\s+(?:of\s+)?my|all\s+the|any|the)"
_HELD = r"(?:you\s+(?:hold|have|keep|store|process|retain)|held|stored|kept)"
_ABOUT_ME = r"(?:about|on|of|relating\s+to|concerning)\s+me\b"

# (kind, pattern): searched sentence by sentence in lower case, first match wins per kind.
_RULES: tuple[tuple[str, str], ...] = (
    ("access", r"\bsubject\s+access\s+request\b|\bsar\b|\bdsar\b|\barticle\s+15\b"),
    ("access", r"\bright\s+of\s+access\b|\bright\s+to\s+access\b"),
    (
        "access",
        rf"\bcopy\s+of\s+(?:all\s+)?(?:the\s+|my\s+)?(?:personal\s+)?(?:data|information|info"
        rf"|details|records)\b[^.?!]{{0,60}}?(?:{_HELD}|{_ABOUT_ME})",
    ),
    ("access", r"\bcopy\s+of\s+(?:all\s+)?my\s+(?:personal\s+)?(?:data|information|records)\b"),
    (
        "access",
        rf"\bwhat\s+(?:personal\s+)?(?:data|information|info|details)\s+(?:do\s+)?"
        rf"(?:you\s+)?(?:hold|have|keep|store|process)\s+{_ABOUT_ME}",
    ),
    (
        "access",
        rf"\b(?:see|access|obtain|receive|get|(?:send|email|give|provide|post)\s+me)\s+"
        rf"(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:personal\s+)?(?:data|information)\s+(?:that\s+)?"
        rf"{_HELD}\s+{_ABOUT_ME}",
    ),
    ("access", r"\baccess\s+to\s+(?:all\s+)?my\s+personal\s+(?:data|information)\b"),
    ("erasure", r"\bright\s+to\s+(?:be\s+forgotten|erasure)\b|\barticle\s+17\b|\bforget\s+me\b"),
    (
        "erasure",
        rf"\b(?:delete|erase|remove|wipe|destroy|purge)\s+{_MY}\s+(?:personal\s+)?"
        rf"(?:data|information|info|details|records?|account|profile|everything|customer\s+"
        rf"record)\b",
    ),
    (
        "erasure",
        rf"\b(?:delete|erase|remove|wipe)\s+(?:all\s+)?(?:the\s+)?(?:personal\s+)?"
        rf"(?:data|information)\s+(?:that\s+)?{_HELD}\s+{_ABOUT_ME}",
    ),
    (
        "erasure",
        rf"\b(?:delete|erase|remove|wipe)\s+(?:(?:everything|all|anything)\s+(?:that\s+)?"
        rf"(?:{_HELD}\s+)?)?{_ABOUT_ME}",
    ),
    (
        "erasure",
        r"\bmy\s+(?:personal\s+)?(?:data|information|details|records?|account|profile)\s+"
        r"(?:and\s+(?:all\s+)?(?:my\s+)?(?:personal\s+)?(?:data|information|details)\s+)?"
        r"(?:to\s+be\s+|be\s+)?(?:permanently\s+)?(?:deleted|erased|removed|wiped)\b",
    ),
    ("rectification", r"\bright\s+to\s+rectification\b|\barticle\s+16\b|\brectify\b"),
    (
        "rectification",
        rf"\b(?:data|information|details|records?)\s+(?:that\s+)?(?:{_HELD}\s+)?"
        rf"(?:{_ABOUT_ME}\s+)?(?:is|are)\s+(?:wrong|incorrect|inaccurate|out\s+of\s+date"
        rf"|not\s+correct|incomplete)",
    ),
    (
        "rectification",
        r"\b(?:correct|amend)\s+(?:the\s+|my\s+|your\s+)?(?:personal\s+)?(?:data|information"
        r"|details|records?)\s+(?:you\s+hold\s+)?(?:about|on|of)\s+me\b",
    ),
    (
        "rectification",
        r"\bmy\s+date\s+of\s+birth\s+(?:is|was)\s+(?:recorded\s+|held\s+|shown\s+)?"
        r"(?:wrong(?:ly)?|incorrect(?:ly)?|inaccurate(?:ly)?)",
    ),
    (
        "rectification",
        r"\bmy\s+(?:name|details|personal\s+(?:data|details|information))\s+(?:is|are)\s+"
        r"(?:(?:recorded|held|stored|spelt|spelled|shown)\s+(?:wrong(?:ly)?|incorrect(?:ly)?"
        r"|inaccurate(?:ly)?)|misspelt|misspelled)",
    ),
    ("restriction", r"\bright\s+to\s+restrict(?:ion)?\b|\barticle\s+18\b"),
    (
        "restriction",
        r"\brestrict\s+(?:the\s+)?(?:processing|use|using)\s+(?:of\s+)?(?:my|all\s+my)\b",
    ),
    (
        "restriction",
        r"\b(?:stop|pause|suspend|freeze)\s+(?:using|processing)\s+my\s+(?:personal\s+)?"
        r"(?:data|information|details)\s+(?:until|while|whilst|pending)\b",
    ),
    (
        "restriction",
        r"\b(?:do\s+not|don't|please\s+don't)\s+delete\s+(?:my\s+)?(?:data|information)\s+but"
        r"\s+(?:stop|do\s+not|don't)\s+(?:using|use)",
    ),
    ("portability", r"\bportability\b|\bport\s+my\s+data\b|\barticle\s+20\b"),
    (
        "portability",
        r"\bmy\s+(?:personal\s+)?(?:data|information)\s+in\s+a\s+(?:structured|machine[- ]"
        r"readable|commonly\s+used|portable|common)",
    ),
    (
        "portability",
        r"\b(?:transfer|transmit|move|send)\s+(?:all\s+)?my\s+(?:personal\s+)?(?:data|"
        r"information)\s+(?:directly\s+)?to\s+(?:another|a\s+(?:new|different|competing))"
        r"\s+(?:provider|company|service|controller|supplier)",
    ),
    ("objection", r"\bright\s+to\s+object\b|\barticle\s+21\b"),
    (
        "objection",
        r"\bobject\s+to\s+(?:you\s+|your\s+|mimoto\s+)?(?:the\s+)?(?:processing|using|use|"
        r"profiling|analysing|analyzing|tracking)\b[^.?!]{0,40}?\bmy\b",
    ),
    (
        "objection",
        r"\b(?:stop|cease)\s+(?:using|processing|analysing|profiling)\s+my\s+(?:personal\s+)?"
        r"(?:data|information|details)\b(?!\s+(?:until|while|whilst|pending))",
    ),
    ("objection", r"\b(?:stop|cease)\s+profiling\s+me\b|\bno\s+longer\s+consent\s+to\b"),
    ("unsubscribe", r"\bunsubscribe\b|\bopt\s+(?:me\s+)?out\s+of\b|\bno\s+more\s+marketing\b"),
    (
        "unsubscribe",
        r"\b(?:stop|cease)\s+(?:sending|emailing|texting|calling|contacting)\s+me\b[^.?!]{0,40}?"
        r"(?:marketing|newsletters?|promotion(?:s|al)?|offers|adverts?|advertising|spam)",
    ),
    (
        "unsubscribe",
        r"\b(?:stop|cease)\s+(?:sending|emailing)\s+(?:me\s+)?(?:your\s+|any\s+|these\s+)?"
        r"(?:marketing|newsletters?|promotion(?:s|al)?|offers|adverts?|advertising|spam)",
    ),
    (
        "unsubscribe",
        r"\b(?:remove|take)\s+me\s+(?:off|from)\s+(?:your\s+|the\s+|all\s+)?(?:mailing|"
        r"marketing|email|e-mail|newsletter|contact)(?:\s+lists?)?\b",
    ),
    ("unsubscribe", r"\bdo\s+not\s+(?:send|email)\s+me\s+(?:any\s+)?(?:more\s+)?marketing\b"),
    ("automated-decisions", r"\bautomated\s+decision|\barticle\s+22\b"),
    (
        "automated-decisions",
        r"\b(?:decided|decision\s+(?:was\s+)?made|rejected|refused|declined)\s+(?:by|using)\s+"
        r"(?:a\s+|an\s+|your\s+)?(?:computer|algorithm|machine|automated\s+system|software)",
    ),
    (
        "automated-decisions",
        r"\b(?:human|person)\s+(?:to\s+)?(?:review|reconsider|look\s+at|intervention)\b[^.?!]"
        r"{0,60}?\b(?:decision|rejection|refusal)\b",
    ),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _RULES)

# A sentence asking how to do something oneself, or saying not to: not a request.
_HOW_TO = re.compile(
    r"\b(?:how\s+(?:do|can|could|would|should)\s+(?:i|we)|how\s+to|can\s+i|could\s+i|is\s+it"
    r"\s+possible\s+(?:for\s+me\s+)?to|where\s+(?:do|can)\s+(?:i|we)|is\s+there\s+a\s+way\s+to"
    r"|what\s+happens\s+(?:to|if)|if\s+i|when\s+i|before\s+i|i\s+(?:might|may)\s+want\s+to"
    r"|why\s+(?:was|were|is|has|have|did)|who\s+(?:can|could)"
    r"|thinking\s+(?:of|about)|by\s+mistake|accidentally)\b"
)
_NEGATED = re.compile(
    r"\b(?:do\s+not|don't|dont|never|please\s+don't|without)\s+(?:\w+\s+){0,2}$|\bnot\s+$"
)
# Where quoted earlier mail starts: everything after it is someone else's words.
_QUOTE_START = re.compile(
    r"^(?:>|on .{4,120} wrote:|-+\s*original message\s*-+|from:\s.+\bsent:)",
    re.IGNORECASE | re.MULTILINE,
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


@dataclass(frozen=True)
class Detection:
    """What a message seems to ask for.

    Attributes:
        kind: the first right it asks for (one of :data:`DETECTED_KINDS`).
        kinds: every right it asks for, in the order they appear.
        phrase: the sentence that matched first (shortened to :data:`PHRASE_MAX_CHARS`).

    """

    kind: str
    kinds: tuple[str, ...]
    phrase: str

    @property
    def register_kind(self) -> str:
        """The kind as the request register records it (unsubscribe is an objection)."""
        return REGISTER_KINDS[self.kind]


def message_text(body: str | None, subject: str | None = None) -> str:
    """Return a message's own words: subject and body as plain text, quoted mail left out."""
    text = body or ""
    if looks_like_html(text):
        text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>", "\n", text)
        text = strip_html(text)
    quoted = _QUOTE_START.search(text)
    if quoted:
        text = text[: quoted.start()]
    if subject:
        text = f"{subject.strip()}.\n{text}"
    return text


def _shorten(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    if len(sentence) <= PHRASE_MAX_CHARS:
        return sentence
    return sentence[: PHRASE_MAX_CHARS - 3].rstrip() + "..."


def detect(text: str) -> Detection | None:
    """Tell whether a message asks for a data protection right, and which.

    Args:
        text: the message's plain text (see :func:`message_text` for mail and HTML).

    Returns:
        A :class:`Detection`, or None when the message reads as ordinary support.

    """
    found: list[tuple[int, str, str]] = []
    for sentence_match in _SENTENCE.finditer(text or ""):
        sentence = sentence_match.group(0)
        lowered = sentence.lower().replace("\u2019", "'")
        for kind, pattern in _COMPILED:
            if any(k == kind for _, k, _ in found):
                continue
            hit = pattern.search(lowered)
            if hit is None:
                continue
            before = lowered[: hit.start()]
            if _HOW_TO.search(before) or _NEGATED.search(before):
                continue
            found.append((sentence_match.start() + hit.start(), kind, sentence))
    if not found:
        return None
    found.sort(key=lambda item: item[0])
    kinds = tuple(dict.fromkeys(kind for _, kind, _ in found))
    return Detection(kind=found[0][1], kinds=kinds, phrase=_shorten(found[0][2]))
