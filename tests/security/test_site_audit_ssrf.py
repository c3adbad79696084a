"""The site audit requests nothing from loopback, private, link-local or metadata addresses,
for pages, redirects and every resource, after DNS resolution, unless allowed."""

from __future__ import annotations

import pytest

from mimoto_gov.audits.site import SiteError, audit_site
from tests.helpers.cli import assert_one_line_error, run_cli
from tests.helpers.hostile import Hostile, serving


class InternalAdmin(Hostile):
    """A service only reachable from inside, such as an admin panel or a cloud metadata API."""

    def answer(self):
        self.send_body(b"<p>internal admin: delete everything?</p>", "text/html")


@pytest.fixture
def internal():
    # 127.0.0.2 is loopback too, and not the address the page is allowed on below
    with serving(InternalAdmin, host="127.0.0.2") as running:
        yield running


def page_loading(internal_url: str) -> type[Hostile]:
    class Page(Hostile):
        def answer(self):
            if self.path == "/go-inside":
                self.redirect(f"{internal_url}/internal-admin")
                return
            body = (
                f'<html><head><title>Shop</title><script src="{internal_url}/internal-admin/js">'
                f'</script><link rel="stylesheet" href="{internal_url}/internal-admin/css">'
                f'</head><body><img src="{internal_url}/internal-admin/delete?all=1">'
                f'<iframe src="{internal_url}/internal-admin/frame"></iframe>'
                '<img src="http://169.254.169.254/latest/meta-data/iam/">'
                "<p>We use cookies.</p></body></html>"
            ).encode()
            self.send_body(body, "text/html")

    return Page


def test_resources_on_private_addresses_are_never_requested(internal):
    with serving(page_loading(internal.url)) as site:
        audit = audit_site([f"{site.url}/"], allow_private=["127.0.0.1"])
    assert internal.seen == []
    refused = [r for r in audit.resources if r.fetched.startswith("not fetched: refused")]
    assert len(refused) == 5
    assert {r.kind for r in refused} >= {"script", "img", "iframe", "stylesheet"}
    assert any("loopback" in r.fetched for r in refused)
    assert any("169.254.169.254" in r.url and "metadata" in r.fetched for r in refused)


def test_a_redirect_to_a_private_address_is_refused_in_one_line(internal):
    with serving(page_loading(internal.url)) as site, pytest.raises(SiteError) as caught:
        audit_site([f"{site.url}/go-inside"], allow_private=["127.0.0.1"])
    assert internal.seen == []
    message = str(caught.value)
    assert "127.0.0.2" in message and "loopback" in message and "\n" not in message


def test_a_name_is_checked_after_it_resolves(internal):
    # "localhost" is a name, not an address: it resolves to loopback and is refused
    with pytest.raises(SiteError, match="loopback"):
        audit_site([f"http://localhost:{internal.port}/internal-admin"], allow_private=[])
    assert internal.seen == []


def test_the_command_refuses_a_loopback_site_unless_allowed(internal, tmp_path):
    def site_audit(*extra):
        env = {"MIMOTO_GOV_REPORTS": str(tmp_path / "reports")}
        url = f"{internal.url}/internal-admin"
        return run_cli("site-audit", url, *extra, cwd=tmp_path, env=env)

    assert_one_line_error(site_audit(), "loopback", "--allow-private")
    assert internal.seen == []
    allowed = site_audit("--allow-private", "--no-resources")
    assert allowed.returncode == 0, allowed.stderr
    assert [s.path for s in internal.seen] == ["/internal-admin"]
