"""Subject access packages built over real HTTP from the Zammad sandbox.

One sandbox, pull and package are shared by the module (building a package renders a PDF);
the expected contents are computed straight from the sandbox's dataset, independently of
mimoto_gov.subject.
"""

from __future__ import annotations

import csv
import hashlib
import html.parser
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pypdf
import pytest

from mimoto_gov import cli
from mimoto_gov.erasure.purge import Needles, purge_local_copies
from mimoto_gov.errors import InputError, RegisterError, SnapshotError, ZammadError
from mimoto_gov.pii.masks import mask
from mimoto_gov.registers import open_registers
from mimoto_gov.reports.index import RUN_FILE, list_reports
from mimoto_gov.sandbox.zammad.server import Sandbox
from mimoto_gov.sar.case import (
    build_sar_package,
    check_snapshot_age,
    manifest_entries,
    safe_filename,
    verify_manifest,
)
from mimoto_gov.zammad.client import ZammadClient
from mimoto_gov.zammad.sync import pull
from tests.helpers.paths import ROOT

HOSTILE_TITLE = "<script>alert('title')</script> my order"
HOSTILE_BODY = (
    '<p onmouseover="alert(1)">Hello <b>there</b></p><script>alert(2)</script>'
    '<img src=x onerror="alert(3)"><a href="javascript:alert(4)">link</a>'
    '<p><img src="cid:pic1@mail.example"></p><iframe src="http://evil.example"></iframe>'
)
FORMULA_SUBJECT = '=HYPERLINK("http://evil.example","click")'
EVIL_NAME = "../../etc/passwd"  # control characters are covered by test_safe_filename
INLINE_PNG = b"\x89PNG\r\n\x1a\n inline image bytes"
WORKBOOK_VARIABLES = ("ZAMMAD_URL", "ZAMMAD_TOKEN", "MIMOTO_GOV_DATA", "MIMOTO_GOV_REPORTS")
NOTEBOOK = ROOT / "notebooks" / "subject_access_export.ipynb"


def add_hostile_ticket(sandbox: Sandbox, customer_id: int) -> int:
    """A ticket of the subject's with hostile text, a formula and awkward file names."""
    ticket_id = sandbox.add_ticket(customer_id, HOSTILE_TITLE, articles=1)
    sandbox.add_article(
        ticket_id,
        subject=FORMULA_SUBJECT,
        body=HOSTILE_BODY,
        content_type="text/html",
        attachments=[
            {
                "filename": EVIL_NAME,
                "content": b"=cmd|' /C calc'!A0\n",
                "content_type": "text/plain",
            },
            {"filename": "Photo.JPG", "content": b"first photo", "content_type": "image/jpeg"},
            {"filename": "photo.jpg", "content": b"second photo", "content_type": "image/jpeg"},
            {
                "filename": "pic1.png",
                "content": INLINE_PNG,
                "content_type": "image/png",
                "preferences": {"Content-Type": "image/png", "Content-ID": "pic1@mail.example"},
            },
        ],
    )
    sandbox.add_article(
        ticket_id, sender="Agent", type="note", subject="-2+3", body="@SUM(1) note", internal=True
    )
    return ticket_id


COLLEAGUES = (("Peregrine", "Quintard"), ("Ottoline", "Vasquez-Brandt"))
COLLEAGUE_DOMAIN = "quintard.example"


def add_colleagues_ticket(sandbox: Sandbox, subject_id: int) -> SimpleNamespace:
    """Another customer's ticket on which the person is copied in with two colleagues."""
    ds = sandbox.dataset
    person = ds.users[subject_id]
    org = sandbox.add_organization(name="Quintard Logistics Ltd")
    customer = sandbox.add_user(
        firstname="Hesper",
        lastname="Okonkwo",
        email=f"hesper.okonkwo@{COLLEAGUE_DOMAIN}",
        organization_id=org,
        phone="020 7946 0321",
    )
    colleagues = [
        sandbox.add_user(
            firstname=first,
            lastname=last,
            email=f"{first}.{last}@{COLLEAGUE_DOMAIN}".lower(),
            organization_id=org,
        )
        for first, last in COLLEAGUES
    ]
    addresses = [
        f"{first} {last} <{first}.{last}@{COLLEAGUE_DOMAIN}>" for first, last in COLLEAGUES
    ]
    cc = ", ".join([f"{person['firstname']} {person['lastname']} <{person['email']}>", *addresses])
    ticket = sandbox.add_ticket(customer, "Delivery to the Leeds depot", articles=0)
    sandbox.add_article(
        ticket,
        from_=f"Hesper Okonkwo <hesper.okonkwo@{COLLEAGUE_DOMAIN}>",
        cc=cc,
        subject="Leeds depot",
        body="Hi all,\n\nPeregrine Quintard will take the delivery; call Ottoline on "
        "020 7946 0457 or me on 020 7946 0321 if it is late.\n\nThanks,\nHesper",
    )
    sandbox.add_article(
        ticket,
        sender="Agent",
        created_by_id=ds.personas["agent"],
        from_="Mimoto Support <support@mimoto.example>",
        to=f"Hesper Okonkwo <hesper.okonkwo@{COLLEAGUE_DOMAIN}>",
        cc=cc,
        subject="RE: Leeds depot",
        body="<p>Dear Hesper,</p><p>Noted: <b>Peregrine</b> Quintard will sign for it.</p>",
        content_type="text/html",
    )
    return SimpleNamespace(ticket=ticket, people=[customer, *colleagues])


def expected_for(dataset, emails: set[str]) -> SimpleNamespace:
    """What the package must hold, computed from the dataset with plain loops and regexes."""
    patterns = [
        re.compile(rf"(?<![\w.%+-]){re.escape(e)}(?![\w-]|\.[A-Za-z0-9])", re.IGNORECASE)
        for e in emails
    ]

    def names(text) -> bool:
        return isinstance(text, str) and any(p.search(text) for p in patterns)

    # the one identity rule: the current email, never a login
    users = {u["id"] for u in dataset.users.values() if (u.get("email") or "").lower() in emails}
    own_tickets = {t["id"] for t in dataset.tickets.values() if t["customer_id"] in users}
    own_articles = {a["id"] for a in dataset.articles.values() if a["ticket_id"] in own_tickets}
    other_articles = {
        a["id"]
        for a in dataset.articles.values()
        if a["ticket_id"] not in own_tickets
        and any(names(a.get(f)) for f in ("from", "to", "cc", "subject", "body"))
    }
    articles = own_articles | other_articles

    def hidden_inline(att) -> bool:
        cid = (att.get("preferences") or {}).get("Content-ID")
        article = dataset.articles[att["article_id"]]
        return (
            bool(cid) and article["content_type"] == "text/html" and f"cid:{cid}" in article["body"]
        )

    attachments = {a["id"] for a in dataset.attachments.values() if a["article_id"] in articles}
    listed = {a for a in attachments if not hidden_inline(dataset.attachments[a])}
    return SimpleNamespace(
        users=users,
        organizations={dataset.users[u]["organization_id"] for u in users} - {None},
        own_tickets=own_tickets,
        other_tickets={dataset.articles[a]["ticket_id"] for a in other_articles},
        own_articles=own_articles,
        other_articles=other_articles,
        attachments=attachments,
        listed_attachments=listed,
        history=sum(len(dataset.ticket_history(t)) for t in own_tickets),
        tags={(t, tag) for t in own_tickets for tag in dataset.tags.get(t, [])},
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("sar")
    with pytest.MonkeyPatch.context() as mp:
        for name in WORKBOOK_VARIABLES:
            mp.delenv(name, raising=False)
        mp.chdir(root)
        sandbox = Sandbox(seed=7, tickets=300, task_tick_seconds=None)
        sandbox.start()
        try:
            dataset = sandbox.dataset
            subject_id = dataset.personas["subject"]
            email = dataset.users[subject_id]["email"]
            hostile_ticket = add_hostile_ticket(sandbox, subject_id)
            colleagues = add_colleagues_ticket(sandbox, subject_id)
            client = ZammadClient(sandbox.url, sandbox.admin_token)
            data_dir, reports_dir = root / "data", root / "reports"
            pull(client, data_dir, full=True)
            with open_registers(data_dir / "registers.sqlite") as registers:
                request = registers.add_request(
                    "access", [email], received_on=date.today() - timedelta(days=4)
                )
                registers.verify_identity(
                    request.id,
                    "request came from the registered account's address",
                    "J Bloggs",
                    "email headers matched the account",
                )
                nobody = registers.add_request("access", ["nobody@example.invalid"])
                erasure = registers.add_request("erasure", [email], separate=True)
            folder = build_sar_package(
                request.id,
                email.upper(),  # the address is matched whatever its case
                data_dir=data_dir,
                reports_dir=reports_dir,
                client=client,
            )
            yield SimpleNamespace(
                root=root,
                sandbox=sandbox,
                dataset=dataset,
                client=client,
                data_dir=data_dir,
                reports_dir=reports_dir,
                email=email,
                request=request,
                nobody=nobody,
                erasure=erasure,
                hostile_ticket=hostile_ticket,
                colleagues=colleagues,
                folder=folder,
                send=folder / "send",
                data=json.loads((folder / "send" / "data.json").read_text()),
                expected=expected_for(dataset, {email.lower()}),
            )
        finally:
            sandbox.stop()


def assert_pdf_is_the_response(path: Path, request_id: str) -> pypdf.PdfReader:
    """The PDF is titled for the request, names it on its first page and embeds no file."""
    reader = pypdf.PdfReader(path)
    title = f"Subject access response, request {request_id}"
    assert reader.metadata.title == title
    first = reader.pages[0].extract_text()
    assert title in first
    assert f"Our reference {request_id}" in first
    assert dict(reader.attachments) == {}
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object()
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"
    return reader


def ids(records) -> set[int]:
    return {int(r["id"]) for r in records}


def test_the_persona_is_found_completely(world):
    tables, expected = world.data["tables"], world.expected
    # the persona is what the sandbox promises: a customer of several tickets who also
    # writes on others' tickets
    assert len(expected.own_tickets) >= 3 and len(expected.other_tickets) >= 2
    persona_files = {
        a
        for a in expected.attachments
        if world.dataset.attachments[a]["ticket_id"] != world.hostile_ticket
    }
    assert persona_files

    assert ids(tables["users"]) == expected.users
    assert ids(tables["organizations"]) == expected.organizations
    own = {int(t["id"]) for t in tables["tickets"] if t["relation"] == "customer"}
    other = {int(t["id"]) for t in tables["tickets"] if t["relation"] == "correspondent"}
    assert own == expected.own_tickets
    assert other == expected.other_tickets
    articles = {int(a["id"]): a["relation"] for a in tables["articles"]}
    assert {a for a, r in articles.items() if r == "customer"} == expected.own_articles
    assert {a for a, r in articles.items() if r == "correspondent"} == expected.other_articles
    assert ids(tables["attachments"]) == expected.attachments
    assert len(tables["ticket_history"]) == expected.history
    assert {(int(t["ticket_id"]), t["tag"]) for t in tables["ticket_tags"]} == expected.tags
    assert world.data["counts"]["tickets as customer"] == len(expected.own_tickets)
    assert world.data["holds_personal_data"] is True
    # the request is in the register entries, the pending erasure request too
    references = {r["reference"] for r in tables["register_entries"]}
    assert {world.request.id, world.erasure.id} <= references
    assert world.nobody.id not in references


def test_mentions_without_the_address_are_left_for_staff(world):
    planted = world.dataset.planted["subject_mention_article"]
    rows = list(csv.DictReader((world.folder / "staff" / "possible_mentions.csv").open()))
    assert planted in {int(r["article_id"]) for r in rows}
    assert planted not in {int(a["id"]) for a in world.data["tables"]["articles"]}


def test_attachments_are_byte_identical(world):
    saved = [a for a in world.data["tables"]["attachments"] if a["saved_as"]]
    assert {int(a["id"]) for a in saved} == world.expected.attachments
    for record in saved:
        content = (world.send / record["saved_as"]).read_bytes()
        assert content == world.dataset.attachments[int(record["id"])]["content"]
        assert hashlib.sha256(content).hexdigest() == record["sha256"]
    # the inline image Zammad leaves out of the attachment list came from the body's URL
    inline = [a for a in saved if a["inline"]]
    assert [world.dataset.attachments[int(a["id"])]["content"] for a in inline] == [INLINE_PNG]
    assert world.expected.attachments - world.expected.listed_attachments == {
        int(a["id"]) for a in inline
    }


def test_attachment_names_are_safe_and_distinct(world):
    names = sorted(p.name for p in (world.send / "attachments").iterdir())
    assert len(names) == len(world.expected.attachments)
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert not any(ord(c) < 32 for c in name)
    assert "passwd" in names
    assert {"Photo.JPG", "photo (2).jpg"} <= set(names)
    for path in (world.send / "attachments").iterdir():
        assert path.resolve().parent == (world.send / "attachments").resolve()


def test_manifest_verifies(world):
    send = world.send
    manifest = json.loads((send / "manifest.json").read_text())
    listed = {e["path"]: e for e in manifest["files"]}
    on_disk = {
        p.relative_to(send).as_posix()
        for p in send.rglob("*")
        if p.is_file() and p.name != "manifest.json" and p.suffix != ".zip"
    }
    assert set(listed) == on_disk
    assert {"index.html", "report.pdf", "data.json", "csv/messages.csv"} <= set(listed)
    # the index's run.json and the staff part are there, but are not part of the response
    assert (world.folder / RUN_FILE).is_file() and (world.folder / "staff").is_dir()
    assert not [p for p in listed if p.startswith("staff") or p.endswith(RUN_FILE)]
    for path, entry in listed.items():
        content = (send / path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert len(content) == entry["size"]
    assert verify_manifest(world.folder) == []
    # the zip is the response as sent: every listed file plus the manifest, nothing else
    archive = send / f"sar-{world.request.id}.zip"
    with zipfile.ZipFile(archive) as opened:
        prefix = f"sar-{world.request.id}/"
        members = {n.removeprefix(prefix): opened.read(n) for n in opened.namelist()}
    assert set(members) == set(listed) | {"manifest.json"}
    for path in listed:
        assert members[path] == (send / path).read_bytes()
    # a changed file is caught, and a zip that no longer matches
    copy = world.root / "tampered"
    shutil.copytree(world.folder, copy)
    (copy / "send" / "data.json").write_text("{}")
    assert verify_manifest(copy) == ["changed: data.json"]
    with zipfile.ZipFile(copy / "send" / f"sar-{world.request.id}.zip", "a") as opened:
        opened.writestr(f"sar-{world.request.id}/extra.txt", "not sent")
    assert verify_manifest(copy)[-1].startswith("the zip does not hold exactly")


def test_csv_cells_that_look_like_formulas_are_neutralised(world):
    seen = 0
    for path in (world.send / "csv").glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)
                    seen += cell.startswith("'")
    articles = list(csv.DictReader((world.send / "csv" / "messages.csv").open()))
    subjects = {a["Subject"] for a in articles}
    assert "'" + FORMULA_SUBJECT in subjects
    assert "'-2+3" in subjects
    assert seen >= 3
    # data.json keeps the text as it is
    assert FORMULA_SUBJECT in {a["subject"] for a in world.data["tables"]["articles"]}


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)


def test_hostile_text_is_inert_in_the_html(world):
    page = (world.send / "index.html").read_text()
    parsed = _Elements()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "iframe" not in parsed.tags
    assert not [a for a in parsed.attributes if a.lower().startswith("on")]
    assert "javascript:" not in page
    assert "Content-Security-Policy" in page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; my order" in page or (
        "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; my order" in page
    )
    # images in the page are embedded or absent, never fetched
    for src in re.findall(r"<img[^>]*\ssrc=\"([^\"]*)\"", page):
        assert src.startswith("data:")


def test_the_response_reads_as_a_response(world):
    page = (world.send / "index.html").read_text()
    for text in (
        world.request.id,
        "Response due by",
        "Why we use your data",
        "Zammad GmbH",
        "Processor",
        "How long we keep it",
        "stored indefinitely",
        "Information Commissioner",
        "0303 123 1113",
        "Automated decisions",
        "Website analytics (Gaug.es)",
        "Your tickets",
        "Messages about you on other people",
    ):
        assert text in page, text
    reader = assert_pdf_is_the_response(world.send / "report.pdf", world.request.id)
    text = "\n".join(page.extract_text() for page in reader.pages)
    # the ticket history's columns are padded apart, not run together ("FromTo")
    with_history = {h["ticket_id"] for h in world.data["tables"]["ticket_history"]}
    assert with_history
    # (a table that runs over a page repeats its header)
    assert text.count("When What Field From To") >= len(with_history)
    assert "Field FromTo" not in text
    checks = list(csv.DictReader((world.folder / "staff" / "checks.csv").open()))
    assert {c["check"]: c["status"] for c in checks}["Identity"] == "ok"


def index_links(reports_dir: Path) -> set[str]:
    page = (reports_dir / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'href="([^"]+)"', page))


def test_the_reports_index_lists_the_package(world):
    request_id = world.request.id
    assert {
        f"sar/{request_id}/send/index.html",
        f"sar/{request_id}/send/report.pdf",
    } <= index_links(world.reports_dir)
    page = (world.reports_dir / "index.html").read_text(encoding="utf-8")
    assert f"Subject access response, request {request_id}" in page
    assert world.email.lower() not in page.lower()
    listed = {(r["kind"], r["run_id"]) for r in list_reports(world.reports_dir)}
    assert ("sar", request_id) in listed
    # run.json says what the index needs and nothing about the person
    run = json.loads((world.folder / RUN_FILE).read_text(encoding="utf-8"))
    assert set(run) == {"kind", "run_id", "title", "generated_at", "files"}
    assert run["files"] == {"html": "send/index.html", "pdf": "send/report.pdf"}
    assert world.email.split("@")[0].lower() not in json.dumps(run).lower()
    with zipfile.ZipFile(world.send / f"sar-{request_id}.zip") as opened:
        assert not [n for n in opened.namelist() if n.endswith(RUN_FILE) or "staff" in n]


def test_an_erasure_purge_takes_the_package_off_the_index(world, tmp_path):
    reports_dir = tmp_path / "reports"
    shutil.copytree(world.reports_dir, reports_dir)
    build_sar_package(
        world.nobody.id,
        "nobody@example.invalid",
        data_dir=world.data_dir,
        reports_dir=reports_dir,
        client=world.client,
    )
    request_id, nobody = world.request.id, world.nobody.id
    before = index_links(reports_dir)
    assert {f"sar/{request_id}/send/index.html", f"sar/{nobody}/send/index.html"} <= before

    result = purge_local_copies(Needles((world.email,)), tmp_path / "no-data", reports_dir)
    assert not (reports_dir / "sar" / request_id).exists()
    assert f"reports/sar/{request_id}" in set(result.done["path"])
    after = index_links(reports_dir)
    assert not [link for link in after if request_id in link]
    assert {f"sar/{nobody}/send/index.html", f"sar/{nobody}/send/report.pdf"} <= after
    for link in after:
        assert (reports_dir / link).is_file(), link


def test_files_are_private_and_hold_no_token(world):
    token = world.sandbox.admin_token.encode()
    assert stat.S_IMODE(world.folder.stat().st_mode) == 0o700
    for path in world.folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
        if path.is_file():
            assert token not in path.read_bytes(), path
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as opened:
                    for name in opened.namelist():
                        assert token not in opened.read(name), name


def test_unknown_email_gives_the_empty_package(world):
    folder = build_sar_package(
        world.nobody.id,
        "nobody@example.invalid",
        data_dir=world.data_dir,
        reports_dir=world.reports_dir,
        client=world.client,
    )
    page = (folder / "send" / "index.html").read_text()
    assert "We hold no personal data about you" in page
    data = json.loads((folder / "send" / "data.json").read_text())
    assert data["holds_personal_data"] is False
    assert data["statement"].startswith("We hold no personal data about you")
    assert all(not data["tables"][t] for t in ("users", "tickets", "articles", "attachments"))
    assert [r["reference"] for r in data["tables"]["register_entries"]] == [world.nobody.id]
    assert data["supplementary_information"]["complaints"]["ico"]["telephone"]
    assert verify_manifest(folder) == []
    assert (folder / "send" / f"sar-{world.nobody.id}.zip").is_file()
    assert_pdf_is_the_response(folder / "send" / "report.pdf", world.nobody.id)


def _age_snapshot(data_dir: Path, days: float) -> None:
    state_path = data_dir / "zammad" / "sync_state.json"
    state = json.loads(state_path.read_text())
    state["snapshot_time"] = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    state_path.write_text(json.dumps(state))


def test_a_stale_snapshot_is_refused_unless_told(world, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(world.data_dir, data_dir)
    _age_snapshot(data_dir, 2)
    reports_dir = tmp_path / "reports"
    arguments = dict(data_dir=data_dir, reports_dir=reports_dir, client=world.client)
    with pytest.raises(SnapshotError, match=r"2 days old.*--pull.*--allow-stale") as caught:
        build_sar_package(world.nobody.id, "nobody@example.invalid", **arguments)
    assert "\n" not in str(caught.value)
    assert not (reports_dir / "sar").exists()

    folder = build_sar_package(
        world.nobody.id, "nobody@example.invalid", allow_stale=True, **arguments
    )
    assert verify_manifest(folder) == []

    build_sar_package(world.nobody.id, "nobody@example.invalid", pull=True, **arguments)
    state = json.loads((data_dir / "zammad" / "sync_state.json").read_text())
    fresh = datetime.fromisoformat(state["snapshot_time"])
    assert datetime.now(UTC) - fresh < timedelta(minutes=5)


def test_snapshot_age_boundary():
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    check_snapshot_age(now - timedelta(hours=23, minutes=59), now=now)
    with pytest.raises(SnapshotError, match="24 hours old"):
        check_snapshot_age(now - timedelta(hours=24, minutes=1), now=now)
    with pytest.raises(SnapshotError, match="--pull"):
        check_snapshot_age(None, now=now)


def test_the_request_must_exist_be_an_access_request_and_name_the_person(world):
    arguments = dict(data_dir=world.data_dir, reports_dir=world.reports_dir, client=world.client)
    with pytest.raises(RegisterError, match="no request R-2026-9999"):
        build_sar_package("R-2026-9999", world.email, **arguments)
    with pytest.raises(InputError, match="erasure request, not an access request"):
        build_sar_package(world.erasure.id, world.email, **arguments)
    with pytest.raises(InputError, match="is not a subject of request"):
        build_sar_package(world.request.id, "someone.else@example.com", **arguments)


def test_a_zammad_failure_leaves_the_previous_package_untouched(world, tmp_path):
    reports_dir = tmp_path / "reports"
    arguments = dict(data_dir=world.data_dir, reports_dir=reports_dir)
    first = build_sar_package(world.request.id, world.email, client=world.client, **arguments)
    before = {p: p.read_bytes() for p in first.rglob("*") if p.is_file()}
    # a token Zammad refuses: the live calls fail after the snapshot was read
    refused = ZammadClient(world.sandbox.url, "not-a-valid-token", max_retries=0)
    with pytest.raises(ZammadError):
        build_sar_package(world.request.id, world.email, client=refused, **arguments)
    after = {p: p.read_bytes() for p in first.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in (reports_dir / "sar").iterdir()) == [world.request.id]


def test_the_command_prints_the_package_folder_last(world, monkeypatch, capsys):
    monkeypatch.setenv("ZAMMAD_URL", world.sandbox.url)
    monkeypatch.setenv("ZAMMAD_TOKEN", world.sandbox.admin_token)
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(world.data_dir))
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(world.root / "command-reports"))
    code = cli.main(["sar", world.email, "--request-id", world.request.id.lower()])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    folder = Path(out[-1])
    assert folder == world.root / "command-reports" / "sar" / world.request.id
    assert verify_manifest(folder) == []
    assert world.sandbox.admin_token not in "\n".join(out)

    code = cli.main(["sar", world.email, "--request-id", "R-2026-9999"])
    captured = capsys.readouterr()
    assert code != 0
    assert captured.err.strip().count("\n") == 0
    assert captured.err.startswith("mimoto-gov: error: no request R-2026-9999")
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\x00b\x1fc\x7f.txt", "abc.txt"),
        ("..", "attachment"),
        (".hidden", "hidden"),
        ("", "attachment"),
        (None, "attachment"),
        ('wh<at>:"is|this?*.doc', "wh_at___is_this__.doc"),
        ("CON.txt", "_CON.txt"),
        ("name. ", "name"),
        ("\u202egnp.exe", "gnp.exe"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name, set()) == expected


def test_safe_filename_deduplicates_ignoring_case_and_keeps_length():
    taken: set[str] = set()
    names = [safe_filename(n, taken) for n in ("a.txt", "A.TXT", "a.txt", "b")]
    assert names == ["a.txt", "A (2).TXT", "a (3).txt", "b"]
    long = safe_filename("x" * 400 + ".pdf", set())
    assert long.endswith(".pdf") and len(long.encode()) <= 150


def test_manifest_entries_leave_out_the_manifest_and_zip(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "sar-R-1.zip").write_bytes(b"zip")
    (tmp_path / "index.html").write_text("<p>hi</p>")
    entries = manifest_entries(tmp_path)
    assert [e["path"] for e in entries] == ["index.html"]
    assert entries[0]["sha256"] == hashlib.sha256(b"<p>hi</p>").hexdigest()


@pytest.mark.slow
def test_the_notebook_builds_the_same_package_as_the_command(world, tmp_path, monkeypatch):
    import papermill

    monkeypatch.setenv("ZAMMAD_URL", world.sandbox.url)
    monkeypatch.setenv("ZAMMAD_TOKEN", world.sandbox.admin_token)
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(tmp_path / "reports"))
    output = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(output),
        parameters={"request_id": world.request.id, "data_dir": str(world.data_dir)},
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
    )
    folder = tmp_path / "reports" / "sar" / world.request.id
    data = json.loads((folder / "send" / "data.json").read_text())
    assert data["tables"] == world.data["tables"]
    assert verify_manifest(folder) == []
    executed = output.read_text()
    assert "near-matches to review" in executed
    assert world.sandbox.admin_token not in executed


@pytest.mark.slow
def test_the_notebook_runs_with_its_defaults(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in WORKBOOK_VARIABLES}
    env["TMPDIR"] = str(tmp_path)  # the demonstration's folder lands here
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         str(NOTEBOOK)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    manifests = list(tmp_path.glob("mimoto-gov-sar-demo-*/reports/sar/*/send/manifest.json"))
    assert len(manifests) == 1
    assert verify_manifest(manifests[0].parent.parent) == []


def sent_texts(send: Path) -> dict[str, str]:
    """What a person could read in each file sent, white space collapsed, lower-cased.

    Text files as they are, the PDF through its text layer, and every member of the zip
    (its PDF too). File names count as text.
    """

    def readable(name: str, content: bytes) -> str:
        if name.endswith(".pdf"):
            pages = pypdf.PdfReader(io.BytesIO(content)).pages
            text = "\n".join(page.extract_text() for page in pages)
        else:
            text = content.decode("utf-8", errors="replace")
        return " ".join(f"{name}\n{text}".split()).lower()

    texts = {}
    for path in sorted(send.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as opened:
                for member in opened.namelist():
                    texts[f"{path.name}:{member}"] = readable(member, opened.read(member))
        else:
            texts[str(path.relative_to(send))] = readable(path.name, path.read_bytes())
    return texts


def test_no_other_person_is_in_what_is_sent(world):
    ds = world.dataset
    subject_id = ds.personas["subject"]
    staff = {user_id for user_id, user in ds.users.items() if 2 in user.get("role_ids", [])}
    texts = sent_texts(world.send)
    assert any("report.pdf" in name for name in texts) and any(":" in name for name in texts)
    others = [u for i, u in ds.users.items() if i not in staff | {1, subject_id}]
    leaks = []
    for user in others:
        email = user["email"].lower()
        name = f"{user['firstname']} {user['lastname']}".lower()
        for where, text in texts.items():
            # a table cell may break a long address over two lines of the PDF
            if email in text or email in text.replace(" ", "") or name in text:
                leaks.append((user["id"], where))
    assert leaks == []
    # the colleagues copied in with the person, and that ticket's customer: not even a first
    # or last name alone ("Dear Hesper,", "Noted: Peregrine will sign")
    words = {
        ds.users[user_id][part].lower()
        for user_id in world.colleagues.people
        for part in ("firstname", "lastname")
    }
    for where, text in texts.items():
        assert not [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)], where
    # their phone numbers are gone too; the person's own stay
    assert not [t for t in texts.values() if "7946 0457" in t or "7946 0321" in t]
    own_phone = ds.users[subject_id]["phone"].lower()
    assert own_phone in texts["csv/account.csv"]


def test_the_colleagues_ticket_is_there_redacted_and_logged(world):
    articles = [
        a for a in world.data["tables"]["articles"] if a["ticket_id"] == world.colleagues.ticket
    ]
    assert len(articles) == 2
    first, reply = articles
    assert first["cc"].count("[redacted: other person]") == 4  # two names, two addresses
    assert world.email.lower() in first["cc"].lower()  # the person's own address stays
    assert "support@mimoto.example" in reply["from"]  # staff acting for the company stay
    # a name across a tag is one redaction; the tags stay
    assert "Noted: <b>[redacted: other person]</b> will sign for it." in reply["body"]
    assert reply["body"].startswith("<p>Dear [redacted: other person],</p>")
    # the other customer's ticket shows which ticket it was, not its title
    ticket = next(t for t in world.data["tables"]["tickets"] if t["id"] == world.colleagues.ticket)
    assert ticket["relation"] == "correspondent" and ticket["title"] is None
    log = list(csv.DictReader((world.folder / "staff" / "redactions.csv").open()))
    here = [r for r in log if r["reference"].endswith(f"ticket {ticket['number']}")]
    assert {r["kind"] for r in here} == {"email", "name", "phone"}
    assert all(r["released"] == "False" and r["item"] for r in here)
    flat = json.dumps(log).lower()
    assert "quintard.example" not in flat and "peregrine" not in flat  # masked only


def test_the_persons_own_messages_are_all_there_unchanged_where_nothing_was_redacted(world):
    own = {a["id"]: a for a in world.data["tables"]["articles"] if a["relation"] == "customer"}
    assert set(own) == world.expected.own_articles
    redacted = {
        int(r["reference"].split()[1])
        for r in csv.DictReader((world.folder / "staff" / "redactions.csv").open())
        if r["table"] == "articles"
    }
    unchanged = [
        i
        for i in own
        if i not in redacted and world.dataset.articles[i]["content_type"] == "text/plain"
    ]
    assert unchanged
    for article_id in unchanged:
        assert own[article_id]["body"] == world.dataset.articles[article_id]["body"]


def test_a_released_item_reappears_after_rebuild_and_the_package_is_recorded_as_sent(
    world, tmp_path, monkeypatch, capsys
):
    data_dir = tmp_path / "data"
    shutil.copytree(world.data_dir, data_dir)
    reports = tmp_path / "reports"
    monkeypatch.setenv("ZAMMAD_URL", world.sandbox.url)
    monkeypatch.setenv("ZAMMAD_TOKEN", world.sandbox.admin_token)
    monkeypatch.setenv("MIMOTO_GOV_DATA", str(data_dir))
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(reports))
    request_id = world.request.id
    assert cli.main(["sar", "--request-id", request_id]) == 0
    folder = reports / "sar" / request_id
    colleague = f"Ottoline.Vasquez-Brandt@{COLLEAGUE_DOMAIN}"
    log = list(csv.DictReader((folder / "staff" / "redactions.csv").open()))
    row = next(r for r in log if r["kind"] == "email" and r["masked"] == mask(colleague, "email"))
    assert colleague not in (folder / "send" / "data.json").read_text()

    decisions = folder / "staff" / "decisions.csv"
    assert decisions.read_text() == "item,decision,reason\n"
    decisions.write_text(
        f"item,decision,reason\n{row['item']},release,she agreed to be named (email of 3 Dec)\n"
    )
    capsys.readouterr()
    assert cli.main(["sar", "--request-id", request_id, "--rebuild"]) == 0
    assert Path(capsys.readouterr().out.strip().splitlines()[-1]) == folder
    send = folder / "send"
    assert (send / "data.json").read_text().count(colleague) == 1  # that one place only
    assert colleague in (send / "index.html").read_text()
    assert verify_manifest(folder) == []
    log = list(csv.DictReader((folder / "staff" / "redactions.csv").open()))
    released = [r for r in log if r["released"] == "True"]
    assert [(r["item"], r["reason"]) for r in released] == [
        (row["item"], "she agreed to be named (email of 3 Dec)")
    ]
    assert "she agreed" in decisions.read_text()  # the decision is kept for later builds

    # a decision naming nothing in the package: refused in one line, the package kept
    before = (send / "manifest.json").read_bytes()
    decisions.write_text("item,decision,reason\nnot-an-item,release,typo\n")
    assert cli.main(["sar", "--request-id", request_id, "--rebuild"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not-an-item" in err and "Traceback" not in err
    assert (send / "manifest.json").read_bytes() == before

    # staff record which package was sent: the manifest's SHA-256
    assert cli.main(["requests", "sent", request_id, "--on", date.today().isoformat()]) == 0
    digest = hashlib.sha256(before).hexdigest()
    assert digest in capsys.readouterr().out
    with open_registers(data_dir / "registers.sqlite") as registers:
        assert [p.manifest_sha256 for p in registers.packages_sent(request_id)] == [digest]
    assert cli.main(["requests", "show", request_id]) == 0
    assert f"manifest {digest}" in capsys.readouterr().out
    # a package changed since it was built is not recorded
    (send / "csv" / "tickets.csv").write_text("changed")
    assert cli.main(["requests", "sent", request_id]) != 0
    err = capsys.readouterr().err
    assert "does not match its manifest" in err and err.count("\n") == 1
    with open_registers(data_dir / "registers.sqlite") as registers:
        assert len(registers.packages_sent(request_id)) == 1
