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
_HELD = (
    r"(?:(?:you|mimoto|your\s+company|your\s+(?:systems?|staff))\s+(?:currently\s+)?"
    r"(?:hold|have|keep|store|process|retain)|(?:is\s+|are\s+)?(?:held|stored|kept))"
)
_ABOUT_ME = r"(?:about|on|of|relating\s+to|concerning|regarding)\s+me\b"

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
        rf"\b(?:copy\s+of|see|access|obtain|receive|get|have|know|(?:send|email|give|provide"
        rf"|post)\s+(?:me\s+)?(?:with\s+)?)\s*(?:a\s+copy\s+of\s+)?(?:all\s+|every\s+|any\s+)?"
        rf"(?:of\s+)?(?:the\s+)?(?:piece\s+of\s+)?(?:personal\s+)?(?:data|information|info"
        rf"|details|records?)\s+(?:that\s+)?{_HELD}\s+{_ABOUT_ME}",
    ),
    (
        "access",
        r"\bwhat\s+(?:personal\s+)?(?:data|information|info|details)\s+(?:\w+\s+){0,2}"
        r"(?:has|have|holds?|keeps?|stores?)\s+(?:on|about)\s+me\b",
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
        rf"\b(?:delete|erase|remove|wipe|get\s+rid\s+of)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?"
        rf"(?:personal\s+)?(?:data|information)\s+(?:that\s+)?{_HELD}\s+{_ABOUT_ME}",
    ),
    (
        "erasure",
        r"\b(?:delete|erase|remove)\s+me\s+from\s+(?:your|all|the)\b(?!\s+(?:\w+\s+)?"
        r"(?:mailing|marketing|e-?mail|newsletter|contact|distribution)\b)",
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
        rf"\b(?:data|information|details|records?)\s+(?:that\s+)?(?:{_HELD}\s+{_ABOUT_ME}|"
        rf"{_HELD}|{_ABOUT_ME})\s+(?:is|are)\s+(?:wrong|incorrect|inaccurate|out\s+of\s+date"
        rf"|not\s+correct|incomplete)",
    ),
    (
        "rectification",
        r"\bmy\s+personal\s+(?:data|details|information)\s+(?:is|are)\s+(?:wrong|incorrect"
        r"|inaccurate|out\s+of\s+date)",
    ),
    (
        "rectification",
        r"\b(?:have|hold|has)\s+my\s+(?:name|surname|first\s+name|date\s+of\s+birth|details"
        r"|address|email\s+address|phone\s+number)\s+(?:recorded\s+|down\s+|stored\s+|listed\s+)?"
        r"(?:as\s+)?(?:wrong(?:ly)?|incorrect(?:ly)?|inaccurate(?:ly)?)",
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
        r"\b(?:restrict|limit)\s+(?:the\s+)?(?:processing|use|using)\s+(?:of\s+)?"
        r"(?:my|all\s+my)\b",
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
        r"\b(?:export|send|give|transfer)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:the\s+|my\s+)?"
        r"(?:personal\s+)?(?:data|information)\s+(?:that\s+)?i\s+(?:have\s+)?(?:given|provided"
        r"|supplied|gave|uploaded)\s+(?:to\s+)?you",
    ),
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
    (
        "objection",
        r"\b(?:do\s+not|don't|dont)\s+want\s+my\s+(?:personal\s+)?(?:data|information|details)"
        r"\s+(?:to\s+be\s+)?(?:used|processed|shared|analysed|analyzed)",
    ),
    (
        "unsubscribe",
        r"\bunsubscribe\b(?![^.?!]{0,60}\b(?:invoices?|billing|reminders?|receipts?)\b)"
        r"|\bopt\s+(?:me\s+)?out\s+of\b|\bno\s+more\s+marketing\b",
    ),
    ("unsubscribe", r"\bunsubscribe\s+me\b"),
    (
        "unsubscribe",
        r"\bstop\s+(?:the\s+|your\s+|all\s+|these\s+)?(?:newsletters?|marketing(?:\s+e?mails?)?"
        r"|promotional\s+e?mails?|promotions|adverts)\b",
    ),
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
    (
        "unsubscribe",
        r"\b(?:do\s+not|don't|dont)\s+(?:send|email|text)\s+me\s+(?:any\s+)?(?:more\s+)?"
        r"marketing\b",
    ),
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
# Broader rules: a sentence about the writer's own data (a data word with "my" or "me", or
# "about me") that names an action of one kind, and no business object it could be about
# instead. They catch wordings the exact patterns above do not foresee.
_MY_DATA = re.compile(
    r"\b(?:my|me|i)\b[^.?!]*\b(?:data|information|info|details|records?|everything)\b|\b(?:data|information|info|details|records?|everything)\b[^.?!]*\b(?:about|"
    r"on|for|of|regarding)\s+me\b|\bknows?\s+about\s+me\b|\b(?:data|information|details|"
    r"records?)\b[^.?!]*\b(?:associated\s+with|linked\s+to|connected\s+to|under)\s+my\b"
)
# "my data" itself: then a business word elsewhere in the sentence is only context.
_MY_OWN_DATA = re.compile(r"\bmy\s+(?:personal\s+)?(?:data|information)\b")
_BUSINESS_OBJECT = re.compile(
    r"\b(?:invoices?|projects?|files?|folders?|workspaces?|comments?|cards?|seats?|plans?|api|"
    r"keys?|whiteboards?|logs?|licen[cs]es?|orders?|contracts?|passwords?|colleagues?|users?|"
    r"notifications?|vat|reports?|backups?|devices?|laptops?|charges?|fees?|payments?|"
    r"subscriptions?|addendum|agreement|terms|policy|policies|settings|contacts?|calendar|"
    r"templates?|integrations?|exports?\s+of|direct\s+debit|bank|forms?|refunds?|iban)\b"
)
_BROAD: tuple[tuple[str, re.Pattern], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("unsubscribe", r"\bunsubscribe\s+me\b|\bstop\s+(?:contacting|emailing|texting)\s+me"
         r"\b[^.?!]*\b(?:offers?|marketing|promotions?|newsletters?|deals)\b"),
        ("erasure", r"\b(?:delete|erase|remove|wipe|destroy|purge|get\s+rid\s+of)\b"),
        ("rectification", r"\b(?:wrong|incorrect|inaccurate|out\s+of\s+date)\b[^.?!]*\b(?:"
         r"correct|fix|records?|on\s+file|amend)"),
        ("restriction", r"\b(?:don't|do\s+not|stop)\s+(?:use|using|process|processing)\b[^.?!]*"
         r"\b(?:while|until|pending|whilst)\b"),
        ("portability", r"\b(?:machine[- ]readable|take\s+my\s+data|another\s+(?:service|"
         r"provider)|a\s+competitor)\b"),
        ("objection", r"\bobject\s+to\b"),
        ("access", r"\b(?:copy|send|see|tell\s+me|access|provide|entitled\s+to|requesting|"
         r"obtain|what)\b"),
    )
)  # fmt: skip
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _RULES)
# One pass over a sentence first: most sentences of a support desk ask for no right at all.
_ANY = re.compile("|".join(f"(?:{pattern})" for _, pattern in _RULES))

# A sentence asking how to do something oneself, or saying not to: not a request.
_HOW_TO = re.compile(
    r"\b(?:how\s+(?:do|can|could|would|should)\s+(?:i|we)|how\s+to"
    r"|(?:can|could)\s+i(?!\s+(?:have|get|receive|request|ask|please))|is\s+it"
    r"\s+possible\s+(?:for\s+me\s+)?to|where\s+(?:do|can)\s+(?:i|we)|is\s+there\s+a\s+way\s+to"
    r"|what\s+happens\s+(?:to|if)|if\s+i|when\s+i|before\s+i|i\s+(?:might|may)\s+want\s+to"
    r"|why\s+(?:was|were|is|has|have|did)|who\s+(?:can|could)"
    r"|thinking\s+(?:of|about)|by\s+mistake|accidentally)\b"
)
_NEGATED = re.compile(
    r"\b(?:do\s+not|don't|dont|never|please\s+don't|without|can't|cannot|can\s+not|couldn't"
    r"|unable\s+to)\s+(?:\w+\s+){0,2}$|\bnot\s+$"
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
        if not _ANY.search(lowered):
            continue
        for kind, pattern in _COMPILED:
            if any(k == kind for _, k, _ in found):
                continue
            hit = pattern.search(lowered)
            if hit is None:
                continue
            # A how-to or a "do not" before the request in its sentence undoes it (searched in
            # the whole sentence, so that "could I have a copy" is told from "could I delete").
            how_to = any(m.start() < hit.start() for m in _HOW_TO.finditer(lowered))
            if how_to or _NEGATED.search(lowered[: hit.start()]):
                continue
            found.append((sentence_match.start() + hit.start(), kind, sentence))
    if not found:
        found = _broad(text or "")
    if not found:
        return None
    found.sort(key=lambda item: item[0])
    kinds = tuple(dict.fromkeys(kind for _, kind, _ in found))
    return Detection(kind=found[0][1], kinds=kinds, phrase=_shorten(found[0][2]))


def _broad(text: str) -> list[tuple[int, str, str]]:
    """Apply the broader rules, sentence by sentence; return the first kind found."""
    for sentence_match in _SENTENCE.finditer(text):
        sentence = sentence_match.group(0)
        lowered = sentence.lower().replace("\u2019", "'")
        if not _MY_DATA.search(lowered):
            continue
        if _BUSINESS_OBJECT.search(lowered) and not _MY_OWN_DATA.search(lowered):
            continue
        for kind, pattern in _BROAD:
            hit = pattern.search(lowered)
            if hit is None:
                continue
            how_to = any(m.start() <= hit.start() for m in _HOW_TO.finditer(lowered))
            if how_to or _NEGATED.search(lowered[: hit.start()]):
                continue
            return [(sentence_match.start() + hit.start(), kind, sentence)]
    return []
