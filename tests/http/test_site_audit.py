"""The website cookie audit against local pages served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mimoto_gov.audits.site import (
    CONSENT,
    FAIL,
    PASS,
    STATISTICAL,
    STRICTLY_NECESSARY,
    SiteError,
    audit_site,
    parse_set_cookie,
    site_of,
)
from mimoto_gov.cli import main
from mimoto_gov.views.site_audit import save_site_audit

SESSION_VALUE = "s3ss10n-v4lue-never-shown-9c1e"
GAUGES_SNIPPET = """
<script type="text/javascript">
  var _gauges = _gauges || [];
  (function() {
    var t   = document.createElement('script');
    t.type  = 'text/javascript';
    t.async = true;
    t.id    = 'gauges-tracker';
    t.setAttribute('data-site-id', '5f3a1c2b9d8e7f6a5b4c3d21');
    t.setAttribute('data-track-path', 'https://track.gaug.es/track.gif');
    t.src = '//secure.gaug.es/track.js';
    var s = document.getElementsByTagName('script')[0];
    s.parentNode.insertBefore(t, s);
  })();
</script>
"""
NOTICE = """
<footer>
  <p>We use cookies: the service desk keeps your login with a cookie, and Gaug.es analytics
  counts visits with anonymous counter cookies. <a href="/privacy#cookies">Cookie policy</a>.</p>
  <p><a href="/dont-count-me">Don't count me</a>: opt out of analytics, free, in one click.</p>
</footer>
"""


def page(body: str, title: str = "Mimoto Ltd") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        '<link rel="stylesheet" href="/site.css"></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


class Site(BaseHTTPRequestHandler):
    tracker = ""  # filled in by the fixture: the third-party server's root

    def log_message(self, *args):
        pass

    def send_page(self, body: bytes, cookies=(), status=200, content_type="text/html"):
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        login = f"_zammad_session_4b7c1a9e2f={SESSION_VALUE}; path=/; HttpOnly; SameSite=Lax"
        if self.path == "/good":
            self.send_page(page(GAUGES_SNIPPET + NOTICE), [login])
        elif self.path == "/no-objection":
            notice = NOTICE.split('<p><a href="/dont-count-me">')[0] + "</footer>"
            self.send_page(page(GAUGES_SNIPPET + notice), [login])
        elif self.path == "/bad":
            body = (
                '<script async src="https://pagead2.googlesyndication.com/pagead/js/'
                'adsbygoogle.js"></script>'
                '<ins class="adsbygoogle" data-ad-client="ca-pub-0000000000000000"></ins>'
                f'<img src="{self.tracker}/pixel.gif?site=mimoto" width="1" height="1" alt="">'
                f'<script type="application/ld+json">{{"@context": "https://schema.org"}}</script>'
            )
            self.send_page(page(body + NOTICE), [login])
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/good")
            self.send_header("Set-Cookie", "lang=en-GB; path=/; Max-Age=2592000")
            self.end_headers()
        elif self.path == "/site.css":
            self.send_page(b"body{font-family:sans-serif}", content_type="text/css")
        else:
            self.send_page(page("<p>Not here</p>", "Not found"), status=404)


class Tracker(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        expires = "Fri, 26 Nov 2027 10:00:00 GMT"
        self.send_header(
            "Set-Cookie", f"uid=7f3e9a0b2c4d; Domain=localhost; Path=/; Expires={expires}; "
            "SameSite=None"
        )  # fmt: skip
        self.send_header("Content-Length", "0")
        self.end_headers()


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def site():
    tracker, tracker_thread = serve(Tracker)
    # "localhost" is a different site from "127.0.0.1": the tracker is a third party
    Site.tracker = f"http://localhost:{tracker.server_address[1]}"
    server, thread = serve(Site)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    for srv, th in ((server, thread), (tracker, tracker_thread)):
        srv.shutdown()
        srv.server_close()
        th.join(5)


TODAY = dt.date(2026, 11, 26)


def check(audit, promise):
    return next(c for c in audit.checks if c.promise == promise)


def test_page_with_advertising_and_a_third_party_tracking_cookie_is_flagged(site):
    audit = audit_site([f"{site}/bad"], allow_private=True, today=TODAY)
    assert not audit.passed
    ads = check(audit, "No advertising")
    assert ads.verdict == FAIL
    assert "pagead2.googlesyndication.com" in ads.evidence
    tracking = check(audit, "No third-party tracking cookies")
    assert tracking.verdict == FAIL
    uid = audit.cookie("uid")
    assert not uid.first_party
    assert uid.domain == "localhost"
    assert uid.category == CONSENT and uid.verdict == FAIL
    assert "third-party cookie kept for" in uid.reason
    assert check(audit, "Cookies need no consent, or are set only after it").verdict == FAIL
    hosts = audit.third_party_hosts()
    assert "pagead2.googlesyndication.com" in hosts
    assert any(h.startswith("localhost:") for h in hosts)
    assert "schema.org" not in hosts  # JSON-LD is data, not a loaded script


def test_page_with_login_cookie_and_analytics_passes_with_each_category(site):
    audit = audit_site([f"{site}/good"], allow_private=True, today=TODAY)
    assert audit.passed, [(c.promise, c.evidence) for c in audit.checks if c.verdict != PASS]
    login = audit.cookie("_zammad_session_4b7c1a9e2f")
    assert (login.category, login.verdict, login.first_party) == (STRICTLY_NECESSARY, PASS, True)
    assert login.http_only and login.lifetime == "session"
    gauges = [c for c in audit.cookies if c.name.startswith("_gauges_unique")]
    assert sorted(c.name for c in gauges) == [
        "_gauges_unique",
        "_gauges_unique_day",
        "_gauges_unique_hour",
        "_gauges_unique_month",
        "_gauges_unique_year",
    ]
    for cookie in gauges:
        assert (cookie.category, cookie.verdict, cookie.first_party) == (STATISTICAL, PASS, True)
        assert cookie.service == "Gaug.es"
    assert {c.name for c in audit.cookies} == {login.name, *(c.name for c in gauges)}
    assert audit.third_party_hosts() == ["secure.gaug.es", "track.gaug.es"]
    assert all(condition.met for condition in audit.conditions)
    assert check(audit, "Simple analytics only (Gaug.es)").evidence == "Gaug.es only"


def test_analytics_without_a_way_to_object_needs_consent(site):
    audit = audit_site([f"{site}/no-objection"], allow_private=True, today=TODAY)
    assert not audit.passed
    counter = audit.cookie("_gauges_unique")
    assert counter.category == CONSENT and counter.verdict == FAIL
    assert "a simple and free means to object" in counter.reason
    assert audit.cookie("_zammad_session_4b7c1a9e2f").category == STRICTLY_NECESSARY
    # the promises on advertising and third parties still hold
    assert check(audit, "No advertising").verdict == PASS
    assert check(audit, "No third-party tracking cookies").verdict == PASS


def test_before_february_2026_analytics_needed_consent(site):
    audit = audit_site([f"{site}/good"], allow_private=True, today=dt.date(2026, 1, 31))
    assert audit.cookie("_gauges_unique_day").category == CONSENT
    assert not audit.conditions[0].met


def test_cookies_on_redirects_are_seen(site):
    audit = audit_site([f"{site}/redirect"], allow_private=True, today=TODAY)
    lang = audit.cookie("lang")
    assert lang.first_party and lang.lifetime == "30 days"
    assert lang.verdict == "review"  # unknown first-party cookie: a person must say what it is
    assert audit.pages[0].final_url.endswith("/good")


def test_unreachable_host_is_one_line_error(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(SiteError, match="cannot fetch .* from 127.0.0.1"):
        audit_site([url], timeout=(1, 1), allow_private=True)
    code = main(["site-audit", url, "--timeout", "1", "--allow-private"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"mimoto-gov: error: cannot fetch {url} from 127.0.0.1")
    assert len(err.strip().splitlines()) == 1


def test_bad_url_is_refused(capsys):
    assert main(["site-audit", "ftp://example.com/"]) == 2
    assert "not a web page URL" in capsys.readouterr().err


def test_report_html_and_pdf(site, tmp_path):
    audit = audit_site([f"{site}/bad", f"{site}/good"], allow_private=True, today=TODAY)
    run = save_site_audit(audit, tmp_path / "reports")
    assert run.folder == tmp_path / "reports" / "site-audit" / "2026-11-26"
    html = run.html.read_text()
    assert "Content-Security-Policy" in html
    assert "FAIL" in html and "pagead2.googlesyndication.com" in html
    assert "_gauges_unique_hour" in html and STATISTICAL in html
    assert SESSION_VALUE not in html  # cookie values are never shown
    assert "7f3e9a0b2c4d" not in html
    assert run.pdf.read_bytes().startswith(b"%PDF")
    for path in (run.folder, run.html, run.pdf):
        assert path.stat().st_mode & 0o077 == 0


def test_command_prints_verdict_and_paths(site, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIMOTO_GOV_REPORTS", str(tmp_path / "reports"))
    assert main(["site-audit", f"{site}/good", "--allow-private"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "site audit: pass"
    assert Path(out[-2]).name == "site-audit.html" and Path(out[-1]).name == "site-audit.pdf"
    assert main(["site-audit", f"{site}/bad", "--fail-on-breach", "--allow-private"]) == 1
    assert capsys.readouterr().out.startswith("site audit: FAIL")


def test_site_of_and_set_cookie_parsing():
    assert site_of("www.mimoto.co.uk") == "mimoto.co.uk"
    assert site_of("secure.gaug.es") == "gaug.es"
    assert site_of("127.0.0.1") == "127.0.0.1"
    assert site_of("localhost") == "localhost"
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    parsed = parse_set_cookie(
        "a=b; Domain=.Example.com; Max-Age=3600; Secure", "x.example.com", now
    )
    assert parsed["domain"] == "example.com" and parsed["lifetime"] == "1 hour"
    assert parsed["secure"] and parsed["value_length"] == 1
