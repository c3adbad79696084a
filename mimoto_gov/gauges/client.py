"""The live Gaug.es client: an optional, thin layer that only saves files.

Gaug.es may be gone (gauges-api.md §1), so the client never feeds DataFrames directly: it
saves every response body unchanged under ``$MIMOTO_GOV_DATA/gauges/raw/`` in the layout
``<gauge_id>/<endpoint>/<YYYY-MM-DD>[_p<page>].json`` with a ``.meta.json`` beside it (request
URL, HTTP status, fetch time), and those files are then imported like any saved export.

The token travels only in the ``X-Gauges-Token`` header. It is never part of a URL, a saved
file, a message or the client's ``repr``; a response that echoes it (``/clients`` does) is
refused rather than saved, and links and redirects are followed only on the API's own host.
Requests go through the workbook's one session builder
(:func:`mimoto_gov.support.http.build_session`): timeouts and a total deadline per request, a
cap on each answer's size, retries with backoff on 429/5xx.

Ids from the API are data, never paths: a gauge id is accepted only in the shape the API
documents (a 24-hex ObjectId, gauges-api.md §3), and every saved file's path is built by
:func:`mimoto_gov.support.files.safe_path`, which refuses anything leaving the raw folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from mimoto_gov import __version__
from mimoto_gov.errors import ConfigError, GaugesError
from mimoto_gov.gauges.periods import month_days, months_between
from mimoto_gov.support.files import private_dir, safe_path, write_text
from mimoto_gov.support.http import (
    MB,
    BodyTooLarge,
    DeadlineExceeded,
    Limits,
    RedirectRefused,
    build_session,
)
from mimoto_gov.support.progress import progress

DEFAULT_BASE_URL = "https://secure.gaug.es"
TOKEN_HEADER = "X-Gauges-Token"

# endpoint -> what one `date=` covers (§4); content and referrers are daily
MONTHLY_ENDPOINTS = ("traffic", "terms", "technology", "resolutions", "engines", "locations")
DAILY_ENDPOINTS = ("content", "referrers")
PAGINATED = ("content", "referrers", "terms", "gauges")
MAX_PAGES = 1000
DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_BODY = 32 * MB
# A gauge id is a MongoDB-style ObjectId: 24 hexadecimal characters (gauges-api.md §3).
GAUGE_ID = re.compile(r"[0-9a-fA-F]{24}")

_SECRET_PARAMS = {"token", "key", "api_key", "apikey", "access_token", "x-gauges-token"}


class GaugesAuthError(GaugesError):
    """Gaug.es refused the token (HTTP 401 "Authentication required")."""


class GaugesNotFound(GaugesError):
    """Gaug.es has no such gauge or endpoint (HTTP 404 "Not found")."""


@dataclass(frozen=True)
class Response:
    """One decoded response: its body, its status and the URL asked (without secrets)."""

    url: str
    status: int
    body: dict | list
    text: str = field(repr=False)


def clean_url(url: str) -> str:
    """Return ``url`` without user info or secret-looking query parameters."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _SECRET_PARAMS]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


class GaugesClient:
    """A polite client for the Gaug.es REST API.

    One request at a time on one session from :func:`~mimoto_gov.support.http.build_session`:
    (connect, read) timeouts and a total deadline on every call, a cap on each answer, and
    retries with backoff on 429 and 5xx (rate limits are not documented).

    Args:
        token: the API key (``GAUGES_TOKEN``).
        base_url: the API root, ``https://secure.gaug.es`` unless testing.
        timeout: (connect, read) seconds.
        retries: attempts after the first on 429/5xx and dropped connections.
        backoff: urllib3 backoff factor in seconds.
        deadline: seconds for each whole request, however slowly the server answers.
        max_body: bytes accepted in one answer.

    Raises:
        GaugesError: no token, or a base URL that is not http(s).
        ConfigError: the token holds a character HTTP cannot carry (it is not shown).

    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 3,
        backoff: float = 1.0,
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = DEFAULT_MAX_BODY,
    ):
        if not token:
            raise GaugesError("no Gaug.es token given: set GAUGES_TOKEN")
        if not base_url.startswith(("http://", "https://")):
            raise GaugesError("the Gaug.es URL must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._origin = urlsplit(self.base_url)[:2]
        self._token = token
        try:
            self.session = build_session(
                headers={
                    TOKEN_HEADER: token,
                    "Accept": "application/json",
                    "User-Agent": f"mimoto-gov/{__version__}",
                },
                credential_headers=(TOKEN_HEADER,),
                limits=Limits(timeout[0], timeout[1], deadline, max_body),
                retries=retries,
                backoff=backoff,
                retry_methods=("GET",),
            )
        except requests.exceptions.InvalidHeader:
            raise ConfigError("GAUGES_TOKEN holds a character HTTP cannot carry") from None

    def __repr__(self) -> str:
        return f"GaugesClient(base_url={self.base_url!r})"

    def on_api_host(self, url: str) -> bool:
        """Tell whether ``url`` is on the API's own scheme, host and port."""
        try:
            return urlsplit(url)[:2] == self._origin
        except ValueError:
            return False

    @property
    def token(self) -> str:
        """The API key, for refusing answers that echo it (never shown)."""
        return self._token

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def __enter__(self) -> GaugesClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            # never send the token to another host, whatever a response links to
            if not self.on_api_host(path_or_url):
                raise GaugesError(
                    f"refusing to follow a link away from {self.base_url}: {clean_url(path_or_url)}"
                )
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def get(self, path_or_url: str, params: dict | None = None) -> Response:
        """GET one resource and decode its JSON body.

        Raises:
            GaugesAuthError: HTTP 401.
            GaugesNotFound: HTTP 404.
            GaugesError: any other failure (no answer, 5xx after retries, not JSON).

        """
        url = self._url(path_or_url)
        shown = clean_url(url)
        try:
            reply = self.session.get(url, params=params, timeout=self.timeout)
        except requests.exceptions.RetryError:
            raise GaugesError(f"Gaug.es kept failing at {shown} after retries") from None
        except (RedirectRefused, BodyTooLarge, DeadlineExceeded) as refused:
            raise GaugesError(f"Gaug.es at {shown}: {refused}") from None
        except requests.exceptions.Timeout:
            raise GaugesError(f"Gaug.es did not answer in time at {shown}") from None
        except requests.exceptions.ConnectionError:
            raise GaugesError(f"cannot reach Gaug.es at {self.base_url}") from None
        asked = clean_url(reply.url)
        if reply.status_code == 401:
            raise GaugesAuthError(
                "Gaug.es refused the token (HTTP 401 Authentication required): check GAUGES_TOKEN",
                status=401,
                url=asked,
            )
        if reply.status_code == 404:
            raise GaugesNotFound(
                f"Gaug.es has nothing at {asked} (HTTP 404 Not found)", status=404, url=asked
            )
        if reply.status_code == 429 or reply.status_code >= 500:
            raise GaugesError(
                f"Gaug.es kept failing at {asked} (HTTP {reply.status_code}) after retries",
                status=reply.status_code,
                url=asked,
            )
        if reply.status_code >= 400:
            raise GaugesError(
                f"Gaug.es answered HTTP {reply.status_code} at {asked}",
                status=reply.status_code,
                url=asked,
            )
        try:
            body = reply.json()
        except ValueError:
            raise GaugesError(
                f"Gaug.es answered with something other than JSON at {asked}",
                status=reply.status_code,
                url=asked,
            ) from None
        return Response(url=asked, status=reply.status_code, body=body, text=reply.text)

    def pages(self, path_or_url: str, params: dict | None = None) -> Iterator[Response]:
        """Yield every page of a paginated resource, following ``urls.next_page``.

        No total is ever returned (§6), so the walk stops only when ``next_page`` is null.
        """
        response = self.get(path_or_url, params)
        seen = {response.url}
        yield response
        for _ in range(MAX_PAGES):
            urls = response.body.get("urls") if isinstance(response.body, dict) else None
            next_page = urls.get("next_page") if isinstance(urls, dict) else None
            if not next_page:
                return
            response = self.get(next_page)
            if response.url in seen:
                raise GaugesError(f"Gaug.es pagination loops at {response.url}")
            seen.add(response.url)
            yield response
        raise GaugesError(f"Gaug.es returned more than {MAX_PAGES} pages for {path_or_url}")


@dataclass
class PullResult:
    """Files a pull saved (response bodies only, not their ``.meta.json``)."""

    files: list[Path] = field(default_factory=list)
    gauges: list[str] = field(default_factory=list)


def _page_of(response: Response) -> int:
    page = response.body.get("page") if isinstance(response.body, dict) else None
    return page if isinstance(page, int) and page > 0 else 1


def save_response(response: Response, path: Path, token: str) -> Path:
    """Save a body unchanged plus its ``.meta.json``, refusing any that contains the token."""
    if token and token in response.text:
        raise GaugesError(f"the response from {response.url} contains the API token; not saved")
    meta = {
        "url": response.url,
        "status": response.status,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_text(path, response.text)
    write_text(path.with_name(path.stem + ".meta.json"), json.dumps(meta, indent=1) + "\n")
    return path


def _paged_name(stem: str, page: int) -> str:
    return f"{stem}.json" if page == 1 else f"{stem}_p{page}.json"


def _plan(date_from: str, date_to: str, today: date) -> list[tuple[str, date]]:
    """(endpoint, date=) pairs covering the months, never asking about the future."""
    plan = []
    for month in months_between(date_from, date_to):
        if month > today:
            break
        plan.extend((endpoint, month) for endpoint in MONTHLY_ENDPOINTS)
        for day in month_days(month):
            if day > today:
                break
            plan.extend((endpoint, day) for endpoint in DAILY_ENDPOINTS)
    return plan


def pull(
    client: GaugesClient,
    date_from: str,
    date_to: str,
    raw_dir: Path,
    *,
    today: date | None = None,
) -> PullResult:
    """Save every gauge's stats for the months ``date_from``..``date_to`` (``YYYY-MM``).

    Monthly endpoints are asked once per month (``date=`` the 1st); ``content`` and
    ``referrers`` once per day; every paginated answer is followed to its last page. Staff
    documents (``/me``, ``/shares``) and API keys (``/clients``) are never requested.

    Returns:
        The saved files, ready for :func:`mimoto_gov.gauges.store.import_exports`.

    """
    today = today or date.today()
    plan = _plan(date_from, date_to, today)
    result = PullResult()
    gauge_links: dict[str, dict] = {}
    listing = list(client.pages("/gauges"))
    for response in listing:
        for gauge in response.body.get("gauges", []) if isinstance(response.body, dict) else []:
            if isinstance(gauge, dict) and gauge.get("id"):
                gauge_links[_gauge_id(gauge["id"], response.url)] = gauge.get("urls") or {}
    # only once every id is known to be an id does anything reach the disk
    private_dir(raw_dir)
    for response in listing:
        name = _paged_name("gauges", _page_of(response))
        result.files.append(save_response(response, safe_path(raw_dir, name), client.token))
    result.gauges = sorted(gauge_links)
    for gauge_id in result.gauges:
        # every level private, not only the leaf folders write_text creates
        private_dir(safe_path(raw_dir, gauge_id))
    steps = [(gauge_id, endpoint, day) for gauge_id in result.gauges for endpoint, day in plan]
    for gauge_id, endpoint, day in progress(steps, desc="Pulling Gaug.es", unit="request"):
        link = gauge_links[gauge_id].get(endpoint)
        same_host = isinstance(link, str) and client.on_api_host(link)
        target = link if same_host else f"/gauges/{gauge_id}/{endpoint}"
        params = {"date": day.isoformat()}
        responses = (
            client.pages(target, params) if endpoint in PAGINATED else [client.get(target, params)]
        )
        for response in responses:
            name = _paged_name(day.isoformat(), _page_of(response))
            path = safe_path(raw_dir, gauge_id, endpoint, name)
            result.files.append(save_response(response, path, client.token))
    return result


def _gauge_id(value: object, where: str) -> str:
    """Return a gauge id as the API documents it, or refuse it (never shown whole)."""
    text = str(value)
    if not GAUGE_ID.fullmatch(text):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise GaugesError(
            f"Gaug.es sent a gauge id that is not a 24-hex id ({shown!r}) at {where}; "
            "nothing was pulled"
        )
    return text
