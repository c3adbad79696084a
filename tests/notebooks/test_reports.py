"""The report pipeline end to end: papermill, the house HTML page, the PDF, the index.

The fixture notebook runs in a real kernel (the venv's ipykernel), so these tests are slow-ish:
the kernel runs happen once per module and the tests read the files they produced.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import stat
import threading
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pypdf
import pytest

from mimoto_gov.errors import InputError, ReportError
from mimoto_gov.reports.run import (
    CSP,
    list_reports,
    render_document,
    render_html,
    render_pdf,
    run_report,
    save_report,
)
from tests.helpers.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "notebooks"
BASIC = FIXTURES / "report_basic.ipynb"
FAILING = FIXTURES / "report_failing.ipynb"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
TOKEN = "tok-NEVER-IN-OUTPUT-5e1f"


class PageParser(HTMLParser):
    """Collect the elements and attributes of a page, as a browser would see them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    return parser


def assert_inert(page: str) -> None:
    parsed = parse(page)
    assert [tag for tag, _ in parsed.tags if tag in {"script", "iframe", "object", "embed"}] == []
    handlers = [
        (tag, name) for tag, attrs in parsed.tags for name in attrs if name.startswith("on")
    ]
    assert handlers == []
    for tag, attrs in parsed.tags:
        if tag == "img":
            assert attrs["src"].startswith("data:image/"), attrs["src"][:40]
        assert tag != "link", attrs
    csp = [a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv")]
    assert csp == [CSP]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run the fixture notebook three times: two months, then the first month again."""
    reports = tmp_path_factory.mktemp("reports") / "reports"
    saved_token = os.environ.get("ZAMMAD_TOKEN")
    os.environ["ZAMMAD_TOKEN"] = TOKEN  # in the kernel's environment; must reach no output
    try:
        first = run_report(
            "fixture",
            BASIC,
            "2026-02",
            {"month": "2026-02", "owner": "Alice Archer"},
            title="Fixture report: February 2026",
            reports_dir=reports,
            summary={"tickets": 2},
        )
        first_html = first.html.read_text(encoding="utf-8")
        second = run_report(
            "fixture",
            BASIC,
            "2026-03",
            {"month": "2026-03", "owner": "Bob Baker"},
            title="Fixture report: March 2026",
            reports_dir=reports,
        )
        rerun = run_report(
            "fixture",
            BASIC,
            "2026-02",
            {"month": "2026-02", "owner": "Carol Clark"},
            title="Fixture report: February 2026",
            reports_dir=reports,
        )
    finally:
        if saved_token is None:
            os.environ.pop("ZAMMAD_TOKEN", None)
        else:
            os.environ["ZAMMAD_TOKEN"] = saved_token
    return {
        "dir": reports,
        "first_html": first_html,
        "first": first,
        "second": second,
        "rerun": rerun,
    }


pytestmark = pytest.mark.slow


def test_each_run_carries_its_parameters(runs):
    page = runs["second"].html.read_text(encoding="utf-8")
    assert "Figures for 2026-03, prepared for Bob Baker." in page
    assert "Figures for 2026-02, prepared for Alice Archer." in runs["first_html"]
    # the run box shows the parameters as a table
    rows = parse(page).tags
    assert ("table", {"class": "mg-params"}) in rows
    text = "".join(parse(page).text)
    assert "month2026-03" in text.replace("\n", "")
    executed = nbformat.read(runs["second"].ipynb, as_version=4)
    assert executed.metadata.papermill.parameters == {"month": "2026-03", "owner": "Bob Baker"}
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]


def test_run_box_title_and_contents(runs):
    page = runs["second"].html.read_text(encoding="utf-8")
    text = " ".join(" ".join(parse(page).text).split())
    assert "<title>Fixture report: March 2026</title>" in page
    assert "Data snapshot 1 Nov 2026 06:15 (UK time)" in text
    assert "Policy version retention-2026.1" in text
    assert "Schedule retention.yml" in text
    assert "Report fixture (run 2026-03)" in text
    assert "Generated " in text
    # the table of contents links every h2/h3 heading
    nav = page[page.index('<nav class="mg-toc"') : page.index("</nav>")]
    assert '<a href="#Summary">Summary</a>' in nav
    assert '<a href="#Past-their-period">Past their period</a>' in nav
    assert 'id="Past-their-period"' in page
    # the notebook's own "# Fixture report" heading gives way to the page title
    assert "<h1" not in page.replace('<h1 class="mg-title">', "")


def test_house_formatting_reaches_the_page(runs):
    page = runs["second"].html.read_text(encoding="utf-8")
    assert "1,234,567" in page
    assert "26 Nov 2026" in page
    assert "(2 rows)" in page
    assert 'alt="Tickets by year created"' in page


def test_hostile_text_stays_inert(runs):
    page = runs["second"].html.read_text(encoding="utf-8")
    assert_inert(page)
    # the hostile string is shown as text, escaped, in the callout and in the table
    assert (
        page.count("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") == 2
    )
    assert "<script" not in page.lower()


def test_html_shows_no_code(runs):
    page = runs["second"].html.read_text(encoding="utf-8")
    assert "CODE_MARKER_SOURCE_ONLY" not in page
    assert "import pandas" not in page
    assert "show_table" not in page
    # ... while the executed notebook keeps it for the record
    assert "CODE_MARKER_SOURCE_ONLY" in runs["second"].ipynb.read_text(encoding="utf-8")


def test_pdf_has_title_text_and_no_attachments(runs):
    reader = pypdf.PdfReader(runs["second"].pdf)
    assert reader.metadata.title == "Fixture report: March 2026"
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Fixture report: March 2026" in text
    assert "Figures for 2026-03, prepared for Bob Baker." in text
    assert "Page 1 of" in text
    assert dict(reader.attachments) == {}
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4 portrait


def test_rerun_replaces_that_runs_outputs(runs):
    rerun = runs["rerun"]
    assert rerun.folder == runs["first"].folder
    page = rerun.html.read_text(encoding="utf-8")
    assert "prepared for Carol Clark." in page
    assert "Alice Archer" not in page
    assert "Alice Archer" not in rerun.ipynb.read_text(encoding="utf-8")
    assert sorted(p.name for p in rerun.folder.iterdir()) == [
        "fixture.html",
        "fixture.ipynb",
        "fixture.pdf",
        "run.json",
    ]
    # no staging or scratch folder is left behind
    assert sorted(p.name for p in (runs["dir"] / "fixture").iterdir()) == ["2026-02", "2026-03"]


def test_index_lists_every_run(runs):
    index = (runs["dir"] / "index.html").read_text(encoding="utf-8")
    assert_inert(index)
    for run in (runs["rerun"], runs["second"]):
        assert run.title in index
        assert f'href="fixture/{run.run_id}/fixture.html"' in index
        assert f'href="fixture/{run.run_id}/fixture.pdf"' in index
    listed = [(r["kind"], r["run_id"]) for r in list_reports(runs["dir"])]
    assert listed == [("fixture", "2026-03"), ("fixture", "2026-02")]
    run_json = json.loads((runs["second"].folder / "run.json").read_text(encoding="utf-8"))
    assert run_json["files"] == {
        "html": "fixture.html",
        "pdf": "fixture.pdf",
        "ipynb": "fixture.ipynb",
    }


def test_summary_is_kept_in_run_json(runs):
    assert runs["first"].summary == {"tickets": 2}
    assert runs["rerun"].summary == {}


def test_outputs_are_private(runs):
    root = runs["dir"]
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_token_is_in_no_output(runs):
    for path in runs["dir"].rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_failing_notebook_names_the_cell_and_keeps_the_partial_notebook(tmp_path):
    reports = tmp_path / "reports"
    # an earlier good run of the same report must survive the failure
    earlier = save_report(
        "failing",
        "2026-01",
        title="Earlier",
        html=render_document("Earlier", "<p>earlier run</p>", {}),
        reports_dir=reports,
    )
    with pytest.raises(ReportError) as caught:
        run_report(
            "failing", FAILING, "2026-01", {"month": "2026-01"}, title="F", reports_dir=reports
        )
    message = str(caught.value)
    assert "\n" not in message
    assert "report_failing.ipynb failed in cell 4" in message
    assert 'raise ValueError(f"boom in {month}: fixture failure")' in message
    assert "ValueError: boom in 2026-01: fixture failure" in message
    failed = reports / "failing" / "2026-01" / "failing.failed.ipynb"
    assert str(failed) in message
    assert stat.S_IMODE(failed.stat().st_mode) == 0o600
    partial = nbformat.read(failed, as_version=4)
    errors = [o for c in partial.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ValueError"]
    assert earlier.html.read_text(encoding="utf-8").count("earlier run") == 1
    assert earlier.pdf.is_file()


def test_missing_notebook_and_bad_names_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="report notebook not found"):
        run_report("x", tmp_path / "nope.ipynb", "2026-01", title="x", reports_dir=tmp_path)
    for kind, run_id in (("../up", "2026-01"), ("x", "a/b"), ("x", ".."), ("", "1")):
        with pytest.raises(InputError, match="must be letters"):
            run_report(kind, BASIC, run_id, title="x", reports_dir=tmp_path)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", ["zammad_token", "API_KEY", "password", "client_secret"])
def test_secret_like_parameters_are_refused(tmp_path, name):
    with pytest.raises(InputError, match="looks like a secret"):
        run_report("x", BASIC, "1", {name: "v"}, title="x", reports_dir=tmp_path)


def test_a_token_value_is_refused_whatever_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("ZAMMAD_TOKEN", TOKEN)
    with pytest.raises(InputError, match="holds a secret") as caught:
        run_report("x", BASIC, "1", {"owner": TOKEN}, title="x", reports_dir=tmp_path)
    assert TOKEN not in str(caught.value)


def test_reports_dir_defaults_to_the_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(tmp_path / "elsewhere"))
    run = save_report(
        "doc", "1", title="Doc", html=render_document("Doc", "<p>x</p>", {}), reports_dir=None
    )
    assert run.folder == tmp_path / "elsewhere" / "doc" / "1"
    assert (tmp_path / "elsewhere" / "index.html").is_file()


# ---------------------------------------------------------------------------------------------
# Rendering without a kernel


def test_render_document_uses_the_house_page_and_cleans_the_body():
    body = (
        "<h2>Certificate</h2><p>Erased on 26 Nov 2026.</p>"
        f"<p>{HOSTILE}</p><a href='javascript:alert(1)' onclick='x()'>link</a>"
        "<img src='https://example.com/track.png'><img src='file:///etc/passwd'>"
        "<link rel='attachment' href='file:///etc/passwd'><style>body{display:none}</style>"
        "<h3>Details</h3><iframe src='https://example.com'></iframe>"
    )
    page = render_document(
        "Erasure certificate <R-1>",
        body,
        {"parameters": {"request": "R-1"}, "policy_version": "2026.1", "request": "R-1 <b>"},
    )
    assert_inert(page)
    assert "<title>Erasure certificate &lt;R-1&gt;</title>" in page
    assert "javascript:" not in page
    assert "display:none" not in page
    assert "R-1 &lt;b&gt;" in page
    assert '<a href="#mg-section-1">Certificate</a>' in page
    assert 'id="mg-section-2"' in page


def test_render_html_reads_recorded_run_info_and_drops_it():
    nb = nbformat.v4.new_notebook()
    info = nbformat.v4.new_output(
        "display_data",
        data={
            "application/vnd.mimoto-gov.run-info+json": {"snapshot_time": "2026-06-30T23:30:00Z"},
            "text/plain": "Report data - snapshot",
        },
    )
    js = nbformat.v4.new_output(
        "display_data", data={"application/javascript": "alert(1)", "text/plain": "js fallback"}
    )
    html_out = nbformat.v4.new_output("display_data", data={"text/html": HOSTILE + "<b>kept</b>"})
    removed = nbformat.v4.new_code_cell("x", outputs=[html_out])
    removed.metadata["tags"] = ["remove-cell"]
    nb.cells = [
        nbformat.v4.new_code_cell("secret_code_here()", outputs=[info, js, html_out]),
        removed,
    ]
    page = render_html(nb, title="T")
    assert_inert(page)
    assert "1 Jul 2026 00:30 (UK time)" in page  # BST
    assert "Report data - snapshot" not in page
    assert "js fallback" in page
    assert "<b>kept</b>" in page
    assert page.count("<b>kept</b>") == 1
    assert "secret_code_here" not in page


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def hostile_page(secret: Path, base: str) -> str:
    data = base64.b64encode(b"DATA-ATTACHMENT-MARKER").decode()
    return f"""<!DOCTYPE html><html><head><title>Hostile page</title>
<link rel="stylesheet" href="{base}/style.css">
<link rel="attachment" href="file:///etc/passwd">
<link rel="attachment" href="file://{secret}"></head><body><h1>Hostile page</h1>
<a rel="attachment" href="file://{secret}">a</a>
<a rel="attachment" href="data:text/plain;base64,{data}">d</a>
<img src="file://{secret}"><img src="{base}/pixel.png">
<iframe src="file://{secret}"></iframe><object data="file://{secret}"></object>
<div style="background: url({base}/bg.png)">background</div></body></html>"""


def test_pdf_fetches_nothing_and_embeds_nothing(tmp_path, web_server):
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-FILE-MARKER\n", encoding="utf-8")
    pdf = render_pdf(hostile_page(secret, web_server), tmp_path / "out" / "hostile.pdf")
    reader = pypdf.PdfReader(pdf)
    assert dict(reader.attachments) == {}
    assert reader.metadata.title == "Hostile page"
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "LOCAL-FILE-MARKER" not in text
    assert "root:" not in text
    assert CountingHandler.hits == []
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600


def test_the_pdf_check_would_catch_a_leak(tmp_path, web_server):
    # Control: WeasyPrint's default fetcher embeds the local file and fetches the web page,
    # which is exactly what render_pdf must prevent.
    import weasyprint

    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-FILE-MARKER\n", encoding="utf-8")
    data = weasyprint.HTML(string=hostile_page(secret, web_server)).write_pdf()
    (tmp_path / "leaky.pdf").write_bytes(data)
    reader = pypdf.PdfReader(tmp_path / "leaky.pdf")
    assert len(reader.attachments) > 0
    assert CountingHandler.hits


@pytest.mark.slow
def test_the_kernel_sees_the_callers_folders_as_absolute_paths(tmp_path, monkeypatch):
    import nbformat

    notebook_dir = tmp_path / "notebooks"
    notebook_dir.mkdir()
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("unused = 1")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_code_cell(
            "import os\nprint(os.environ['MIMOTO_GOV_DATA'], os.environ['MIMOTO_GOV_REPORTS'])"
        ),
    ]
    path = notebook_dir / "folders.ipynb"
    nbformat.write(notebook, path)
    monkeypatch.setenv("MIMOTO_GOV_DATA", "data")
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", "reports")
    run = run_report("folders", path, "once", title="Folders")
    page = run.html.read_text(encoding="utf-8")
    assert str(Path.cwd() / "data") in page
    assert str(Path.cwd() / "reports") in page
    assert os.environ["MIMOTO_GOV_DATA"] == "data"
