"""Benchmark: scan_pii over article bodies, side by side with presidio-analyzer's recognisers.

The texts are synthetic support-article bodies (seeded): English paragraphs with order
numbers, dates, times and prices in most of them, about one in five with a planted piece of
personal data (email, UK phone, card, IBAN, NI number, postcode, IP address), about one in
ten wrapped in HTML, and a few look-alikes (non-Luhn 16-digit references, bad IBANs, drama
phone numbers).

Contenders, on the same texts:

1. ``mimoto_gov.pii.scan.scan_pii`` on all of them (500,000 by default, the benchmark size of the
   retention review);
2. presidio-analyzer's pattern recognisers for the same kinds (EmailRecognizer,
   PhoneRecognizer with region GB, CreditCardRecognizer, IbanRecognizer, UkNinoRecognizer,
   UkPostcodeRecognizer, IpRecognizer) through ``AnalyzerEngine`` on a blank spaCy pipeline
   (no model can be downloaded here), on the first ``--presidio-texts`` texts; skipped when
   presidio is not importable (it is not a project dependency: ``.venv/bin/pip install
   presidio-analyzer`` brings it and spaCy).

Precision is checked on the subset both ran on: every planted value should be found, and
nothing else (look-alikes included) should be.

Run: ``.venv/bin/python benchmarks/pii.py`` (``--help`` for the knobs). Prints Markdown.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mimoto_gov.pii.scan import KINDS, scan_pii  # noqa: E402

PLANTED = {
    "email": ["jo.bloggs@example.co.uk", "a.patel+orders@gmail.com", "sam_99@btinternet.com"],
    "phone": ["07911 123456", "+44 20 7946 0018", "(0161) 496 0000", "0113 496 0000"],
    "card_number": ["4111 1111 1111 1111", "5555555555554444", "3782 822463 10005"],
    "iban": ["GB29 NWBK 6016 1331 9268 19", "GB82WEST12345698765432"],
    "ni_number": ["AB 12 34 56 C", "JG103759A", "ZX 98 76 54 D"],
    "postcode": ["SW1A 1AA", "M1 1AE", "EC1A 1BB", "CF10 1EP"],
    "ip_address": ["81.2.69.160", "2001:db8:85a3::8a2e:370:7334"],
}
LOOK_ALIKES = [
    "reference 1234567812345678",
    "IBAN GB28 NWBK 6016 1331 9268 19",
    "drama line 07700 900123",
    "HMRC example QQ 12 34 56 C",
    "room B12 3rd floor",
]


def make_texts(count: int, seed: int) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """Return ``count`` bodies and, for each, the planted (kind, value) pairs."""
    from faker import Faker

    fake = Faker("en_GB")
    Faker.seed(seed)
    rng = random.Random(seed)
    pool = [fake.paragraph(nb_sentences=rng.randint(2, 9)) for _ in range(3000)]
    texts, planted = [], []
    kinds = list(PLANTED)
    for _ in range(count):
        parts = [rng.choice(pool)]
        if rng.random() < 0.8:
            parts.append(
                f"Order {rng.randint(100000, 999999)} placed on "
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(10, 26)} at "
                f"{rng.randint(8, 18)}:{rng.randint(10, 59)}, total £{rng.randint(5, 900)}.99."
            )
        truth = []
        if rng.random() < 0.2:
            kind = rng.choice(kinds)
            value = rng.choice(PLANTED[kind])
            parts.append(f"My details: {value} thanks.")
            truth.append((kind, value))
        if rng.random() < 0.03:
            parts.append(rng.choice(LOOK_ALIKES))
        parts.append(rng.choice(pool))
        text = " ".join(parts)
        if rng.random() < 0.1:
            text = "<div><p>" + text.replace(". ", ".</p><p>", 2) + "</p></div>"
        texts.append(text)
        planted.append(truth)
    return texts, planted


def run_ours(texts: list[str]) -> tuple[float, list[list[tuple[str, str]]]]:
    started = time.perf_counter()
    results = [[(f.kind, f.value) for f in scan_pii(text)] for text in texts]
    return time.perf_counter() - started, results


PRESIDIO_KINDS = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "card_number",
    "IBAN_CODE": "iban",
    "UK_NINO": "ni_number",
    "UK_POSTCODE": "postcode",
    "IP_ADDRESS": "ip_address",
}


def presidio_analyzer():
    """An AnalyzerEngine with only the pattern recognisers, on a blank spaCy pipeline."""
    import logging

    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer import predefined_recognizers as rec
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankEngine(SpacyNlpEngine):
        def load(self):
            self.nlp = {"en": spacy.blank("en")}

    # tldextract (used by the email recogniser) tries to download the public suffix list and
    # logs a traceback when it cannot; it then falls back to its bundled copy.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    engine = BlankEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    for recogniser in (
        rec.EmailRecognizer(),
        rec.PhoneRecognizer(supported_regions=("GB",)),
        rec.CreditCardRecognizer(),
        rec.IbanRecognizer(),
        rec.UkNinoRecognizer(),
        rec.UkPostcodeRecognizer(),
        rec.IpRecognizer(),
    ):
        registry.add_recognizer(recogniser)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def run_presidio(texts: list[str]) -> tuple[float, list[list[tuple[str, str]]]]:
    analyzer = presidio_analyzer()
    entities = list(PRESIDIO_KINDS)
    started = time.perf_counter()
    results = []
    for text in texts:
        found = analyzer.analyze(text=text, language="en", entities=entities)
        results.append([(PRESIDIO_KINDS[r.entity_type], text[r.start : r.end]) for r in found])
    return time.perf_counter() - started, results


def score(results, planted) -> dict[str, object]:
    """Count planted values found, missed, and findings that were never planted."""
    found = missed = extra = 0
    extras: Counter = Counter()
    for got, truth in zip(results, planted, strict=True):
        got_set = Counter(got)
        for item in truth:
            if got_set[item]:
                found += 1
                got_set[item] -= 1
            else:
                missed += 1
        extra += sum(got_set.values())
        extras.update(item for item, n in got_set.items() for _ in range(n))
    return {"found": found, "missed": missed, "extra": extra, "extras": extras}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=500_000, help="bodies to scan (500,000)")
    parser.add_argument(
        "--presidio-texts", type=int, default=20_000, help="bodies for the side by side (20,000)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    texts, planted = make_texts(args.texts, args.seed)
    megabytes = sum(len(t) for t in texts) / 1e6
    seconds, ours = run_ours(texts)
    counts = Counter(kind for result in ours for kind, _ in result)
    print(f"Texts: {len(texts):,} article bodies, {megabytes:,.1f} MB of text, seed {args.seed}")
    print()
    print("| Scanner | Texts | Seconds | Texts/s | MB/s | Peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"| scan_pii (all) | {len(texts):,} | {seconds:.1f} | {len(texts) / seconds:,.0f} "
        f"| {megabytes / seconds:.1f} | {peak:,.0f} |"
    )
    subset = texts[: args.presidio_texts]
    subset_truth = planted[: args.presidio_texts]
    sub_seconds, sub_ours = run_ours(subset)
    rows = [("scan_pii (subset)", sub_seconds, score(sub_ours, subset_truth))]
    try:
        presidio_seconds, theirs = run_presidio(subset)
    except ImportError as exc:
        print(f"| presidio-analyzer | skipped: {exc.name} is not installed | | | | |")
    else:
        rows.append(("presidio-analyzer", presidio_seconds, score(theirs, subset_truth)))
    sub_mb = sum(len(t) for t in subset) / 1e6
    for name, secs, _ in rows:
        print(
            f"| {name} | {len(subset):,} | {secs:.1f} | {len(subset) / secs:,.0f} "
            f"| {sub_mb / secs:.1f} | |"
        )
    print()
    planted_total = sum(len(t) for t in subset_truth)
    print(f"Accuracy on the {len(subset):,}-text subset ({planted_total:,} planted values):")
    print()
    print("| Scanner | Planted found | Missed | Reported but not planted |")
    print("|---|---:|---:|---:|")
    for name, _, result in rows:
        print(f"| {name} | {result['found']:,} | {result['missed']:,} | {result['extra']:,} |")
    print()
    for name, _, result in rows:
        if result["extras"]:
            common = ", ".join(f"{k} {v!r} x{n}" for (k, v), n in result["extras"].most_common(5))
            print(f"{name}, most frequent findings that were not planted: {common}")
    print()
    print(
        "scan_pii findings by kind (all texts): " + ", ".join(f"{k} {counts[k]:,}" for k in KINDS)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
