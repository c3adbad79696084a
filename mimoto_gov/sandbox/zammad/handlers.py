"""The tornado handlers of the sandbox: the API (with injected faults), an HTML page, a 404.

Each handler records the request in the sandbox's log, then answers through
:meth:`mimoto_gov.sandbox.zammad.api.Api.dispatch` (or with a fault the sandbox drew).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from http.client import responses
from typing import Protocol

import tornado.web

from mimoto_gov.sandbox.zammad.api import Api
from mimoto_gov.sandbox.zammad.faults import Faults, RequestRecord
from mimoto_gov.sandbox.zammad.query import ApiError
from mimoto_gov.sandbox.zammad.response import Response

HTML_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Mimoto</title></head>"
    "<body><h1>Welcome to Mimoto</h1><p>This page is not a Zammad API.</p></body></html>"
)


class Served(Protocol):
    """What the handlers need of the sandbox they serve."""

    api: Api
    faults: Faults
    request_log: list[RequestRecord]


def query_dict(arguments: dict[str, list[bytes]]) -> dict:
    """Decode tornado's arguments: the last value of each, or every value of a ``name[]``."""
    query = {}
    for key, values in arguments.items():
        decoded = [v.decode("utf-8", "replace") for v in values]
        query[key] = decoded if key.endswith("[]") else decoded[-1]
    return query


class SandboxHandler(tornado.web.RequestHandler):
    """A handler that serves one sandbox and records what it answered."""

    def initialize(self, sandbox: Served) -> None:
        """Keep the sandbox (tornado passes the handler's arguments here)."""
        self.sandbox = sandbox

    def log_page(self, status: int) -> None:
        """Record a page request (not an API call) in the sandbox's log."""
        request = self.request
        record = RequestRecord(request.method, request.path, query_dict(request.query_arguments))
        record.status = status
        self.sandbox.request_log.append(record)


class ApiHandler(SandboxHandler):
    """``/api/v1/...``: every method, through the sandbox's API, with its injected faults."""

    SUPPORTED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

    def compute_etag(self) -> None:
        """Send no ETag, as Zammad's API does not."""
        return None

    async def get(self, path: str) -> None:
        """Answer one API request (every method comes here)."""
        await self._serve(path)

    post = put = patch = delete = get

    async def _serve(self, path: str) -> None:
        sandbox = self.sandbox
        request = self.request
        query = query_dict(request.query_arguments)
        record = RequestRecord(request.method, request.path, query)
        sandbox.request_log.append(record)
        fault = sandbox.faults.draw(path)
        record.fault = fault
        if sandbox.faults.latency > 0:
            await asyncio.sleep(sandbox.faults.latency)
        if fault == "drop":
            self.detach().close()
            return
        response = self._answer(path, query, record, fault)
        record.status = response.status
        if request.headers.get("Authorization") and response.status < 500:
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        if fault == "truncated":
            await self._truncated(response)
            return
        self.set_status(response.status)
        for name, value in response.headers.items():
            self.set_header(name, value)
        self.finish(response.body)

    def _answer(self, path: str, query: dict, record: RequestRecord, fault: str | None) -> Response:
        sandbox = self.sandbox
        if fault == "429":
            return Response(429, b"Retry later\n", {"Content-Type": "text/plain"})
        if fault == "500":
            return sandbox.api.error(ApiError(500, "Internal Server Error", human=False))
        params = dict(query)
        content_type = self.request.headers.get("Content-Type", "")
        if self.request.body_arguments:  # a form post
            params.update(query_dict(self.request.body_arguments))
        elif self.request.body and "form" not in content_type:
            try:
                payload = json.loads(self.request.body)
            except ValueError:
                return sandbox.api.error(ApiError(400, "Invalid JSON in request body"))
            record.json = payload
            if isinstance(payload, dict):
                params.update(payload)
        return sandbox.api.dispatch(self.request.method, path, params, self.request.headers)

    async def _truncated(self, response: Response) -> None:
        """Claim the whole body in Content-Length, send half of it, then hang up."""
        lines = [f"HTTP/1.1 {response.status} {responses.get(response.status, 'Unknown')}"]
        lines += [f"{name}: {value}" for name, value in response.headers.items()]
        lines += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
        head = "\r\n".join(lines).encode("latin-1")
        stream = self.detach()
        with contextlib.suppress(Exception):
            await stream.write(head + response.body[: len(response.body) // 2])
        stream.close()


class HtmlHandler(SandboxHandler):
    """``/`` and ``/html/...``: a plain web page, for "a URL that is not Zammad"."""

    def get(self) -> None:
        """Answer the page."""
        self.log_page(200)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(HTML_PAGE)


class NotFoundHandler(SandboxHandler):
    """Any other path: an HTML 404, as a web server in front of Zammad would answer."""

    def prepare(self) -> None:
        """Answer 404 whatever the method."""
        self.log_page(404)
        self.set_status(404)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish("<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>")
