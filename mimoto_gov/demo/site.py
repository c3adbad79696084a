"""A small local copy of a Mimoto-like website, served on 127.0.0.1 for the demo's site audit.

The site keeps the policy's promises on cookies, as the real one should: the public pages
carry the Gaug.es tracking snippet (whose ``_gauges_unique*`` counters are first-party
cookies written by its script) and a cookie notice with a free way to object, and the
service desk, on a host of its own, sets only Zammad's login session cookie. Nothing else:
no advertising, no other third-party host. The Gaug.es hosts are known to the audit, so
nothing is fetched from the internet.

:func:`serving_demo_site` runs it in a background thread on a free port, and
:func:`mimoto_gov.demo.steps.site_audit_step` audits it (with ``allow_private``, since it
lives on loopback). The help desk is
the same server reached as ``localhost``: a host name distinct from the website's
``127.0.0.1``, as ``support.mimoto.co.uk`` is distinct from ``mimoto.co.uk``.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mimoto_gov.sandbox.gauges.synthetic import GAUGE

WEBSITE_HOST = "127.0.0.1"
HELPDESK_HOST = "localhost"
WEBSITE_PATHS = ("/", "/privacy/")

GAUGES_SNIPPET = f"""
<script type="text/javascript">
  var _gauges = _gauges || [];
  (function() {{
    var t   = document.createElement('script');
    t.type  = 'text/javascript';
    t.async = true;
    t.id    = 'gauges-tracker';
    t.setAttribute('data-site-id', '{GAUGE["id"]}');
    t.setAttribute('data-track-path', 'https://track.gaug.es/track.gif');
    t.src = '//secure.gaug.es/track.js';
    var s = document.getElementsByTagName('script')[0];
    s.parentNode.insertBefore(t, s);
  }})();
</script>
"""

FOOTER = """
<footer>
  <p>The service desk keeps your login with a cookie; Gaug.es counts visits with anonymous
  first-party cookies. <a href="/privacy/#cookies">Cookies and privacy</a>.</p>
</footer>
"""

HOME = """
<p>Mimoto Ltd makes tools for small teams that keep their records tidy.</p>
<p><a href="/products/">Products</a> | <a href="/pricing/">Pricing</a> |
<a href="/privacy/">Privacy</a></p>
"""

PRIVACY = """
<h2 id="analytics">Anonymous website statistics</h2>
<p>Access to the mimoto.co.uk website is recorded by the Gaug.es analytics service, as
aggregated, anonymous browser information without IP addresses or user details.</p>
<h2 id="cookies">Cookies</h2>
<p>Our service desk uses a cookie to keep track of the login process. The website uses
Gaug.es cookies for simple analytics only: they count unique visitors per hour, day, month and
year, and are not shared with anyone else.</p>
<p><a href="/dont-count-me/">Don't count me</a>: opt out of the analytics, free, in one
click; we also honour Do Not Track.</p>
"""

HELPDESK = """
<form method="post" action="/api/v1/signin">
  <label>Email <input name="username" type="email"></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit">Sign in</button>
</form>
"""

STYLESHEET = b"body{font-family:sans-serif;max-width:40em;margin:2em auto}"


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="/site.css"></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    session_cookie = ""  # set per server by serving_demo_site

    def log_message(self, *args) -> None:
        """Stay quiet: the audit's report says what was fetched."""

    def _send(self, body: bytes, *, status: int = 200, kind: str = "text/html", cookies=()):
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        path = self.path.split("?", 1)[0]
        if path == "/site.css":
            self._send(STYLESHEET, kind="text/css")
        elif host == HELPDESK_HOST and path == "/":
            cookie = f"{self.session_cookie}; path=/; HttpOnly; SameSite=Lax"
            self._send(_page("Mimoto service desk: sign in", HELPDESK), cookies=[cookie])
        elif host != HELPDESK_HOST and path == "/":
            self._send(_page("Mimoto Ltd", HOME + GAUGES_SNIPPET + FOOTER))
        elif host != HELPDESK_HOST and path == "/privacy/":
            self._send(_page("Privacy policy", PRIVACY + GAUGES_SNIPPET + FOOTER))
        else:
            self._send(_page("Not found", "<p>Nothing here.</p>"), status=404)


@dataclass(frozen=True)
class DemoSite:
    """The running demo website.

    Attributes:
        url: the website's home page (``http://127.0.0.1:<port>/``).
        helpdesk_url: the service desk's sign-in page (``http://localhost:<port>/``).

    """

    url: str
    helpdesk_url: str

    @property
    def urls(self) -> list[str]:
        """The pages to audit: the home page, the privacy page and the service desk."""
        return [self.url.rstrip("/") + path for path in WEBSITE_PATHS] + [self.helpdesk_url]

    @property
    def helpdesk_hosts(self) -> tuple[str, ...]:
        """The service desk's host, as ``ZAMMAD_URL`` would name it."""
        return (HELPDESK_HOST,)


@contextlib.contextmanager
def serving_demo_site() -> Iterator[DemoSite]:
    """Serve the demo website on a free port of 127.0.0.1 for the ``with`` block."""
    # A fresh session cookie per run, like a real sign-in page: its value is never recorded.
    handler = type(
        "DemoSiteHandler",
        (_Handler,),
        {"session_cookie": f"_zammad_session_{secrets.token_hex(5)}={secrets.token_hex(16)}"},
    )
    server = ThreadingHTTPServer((WEBSITE_HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield DemoSite(
            url=f"http://{WEBSITE_HOST}:{port}/", helpdesk_url=f"http://{HELPDESK_HOST}:{port}/"
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
