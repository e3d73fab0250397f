"""A minimal asyncio HTTP/1.1 keep-alive client for the benchmarks.

One TCP connection per simulated device (``asyncio.open_connection``), request bytes built by hand, the response read
with two or three stream calls (headers up to the blank line, then the body). Its only purpose is to cost the load
generator as little CPU as possible (≈ tens of µs per request instead of the milliseconds of a general-purpose client)
so that a benchmark sharing the machine's cores with the server measures the server.

Supports what the benchmarks need and nothing else: ``Content-Length`` and ``Transfer-Encoding: chunked`` bodies, bodiless
responses (1xx/204/304, HEAD), ``Connection: close``, a per-client cookie jar fed by ``Set-Cookie``, and a reconnect
when the server has closed an idle keep-alive connection. No TLS, no redirects, no proxies, no compression.
"""

from __future__ import annotations

import asyncio

_NO_BODY = frozenset((204, 304))
_BODY_METHODS = frozenset(("POST", "PUT", "PATCH"))


class HTTPError(Exception):
    """The server sent something this client does not understand, or the connection failed."""


class Client:
    """One keep-alive connection to ``host:port`` with its own cookie jar.

    ``await client.request("POST", "/path", body=b"{}", headers={...})`` → ``(status, headers, body)`` where ``headers``
    maps lower-case names to values (repeated headers joined with ``", "``, except Set-Cookie which only feeds the jar
    and is kept in ``headers["set-cookie"]`` as the last value).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 80, *, origin: str | None = None):
        self.host = host
        self.port = port
        self.host_header = f"{host}:{port}" if port != 80 else host
        self.origin = origin or f"http://{self.host_header}"
        self.cookies: dict[str, str] = {}
        self._jar_version = (
            0  # bumped when a Set-Cookie changes the jar (the cached request head is then rebuilt)
        )
        self._head_cache: dict[tuple, tuple[dict | None, str]] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._used = False  # the current connection has already carried a response (it may be stale now)

    async def connect(self) -> None:
        self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._used = False

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def aclose(self) -> None:
        writer = self._writer
        self.close()
        if writer is not None:
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def __aenter__(self) -> Client:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    # -- requests ---------------------------------------------------------------------------------------------------

    def build(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> bytes:
        # The lines after the request line change only with the cookie jar, the extra headers and the content type:
        # cached per headers dict (the benchmarks pass the same dict object on every request of a device).
        if not body and method not in _BODY_METHODS:
            content_type = ""  # a GET carries neither Content-Type nor Content-Length
        key = (id(headers), content_type, self._jar_version)
        cached = self._head_cache.get(key)
        if cached is None or cached[0] is not headers:
            parts = [f"Host: {self.host_header}\r\n"]
            if content_type:
                parts.append(f"Content-Type: {content_type}\r\n")
            if self.cookies:
                parts.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n")
            if headers:
                parts.extend(f"{k}: {v}\r\n" for k, v in headers.items())
            if len(self._head_cache) > 64:
                self._head_cache.clear()
            cached = self._head_cache[key] = (headers, "".join(parts))
        length = f"Content-Length: {len(body)}\r\n" if content_type else ""
        return f"{method} {path} HTTP/1.1\r\n{cached[1]}{length}\r\n".encode("latin-1") + body

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, dict[str, str], bytes]:
        data = self.build(method, path, body, headers, content_type)
        if self._writer is None or self._writer.is_closing():
            await self.connect()
        retry = self._used  # a reused keep-alive connection may have been closed by the server meanwhile
        while True:
            try:
                self._writer.write(data)
                response = await self._read_response(method)
            except HTTPError:
                self.close()
                raise
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                self.close()
                if retry and not getattr(exc, "partial", b""):
                    retry = False
                    await self.connect()
                    continue
                raise HTTPError(f"{method} {path}: {exc!r}") from exc
            self._used = True
            return response

    async def _read_response(self, method: str) -> tuple[int, dict[str, str], bytes]:
        reader = self._reader
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            status_line, _, rest = head.partition("\r\n")
            version, _, status = status_line.partition(" ")
            if not version.startswith("HTTP/1.") or not status[:3].isdigit():
                raise HTTPError(f"bad status line {status_line!r}")
            status = int(status[:3])
            if 100 <= status < 200 and status != 101:
                continue  # 100 Continue and friends: the real response follows
            break
        headers: dict[str, str] = {}
        # rest is "\r\n" (no header) or "Name: value\r\n…\r\n\r\n"
        for line in rest[:-4].split("\r\n") if len(rest) > 2 else ():
            name, sep, value = line.partition(":")
            if not sep:
                raise HTTPError(f"bad header line {line!r}")
            name = name.lower()
            value = value.strip()
            if name == "set-cookie":
                self._set_cookie(value)
                headers[name] = value
            elif name in headers:
                headers[name] += ", " + value
            else:
                headers[name] = value
        keep_alive = version != "HTTP/1.0"
        conn = headers.get("connection", "").lower()
        if "close" in conn:
            keep_alive = False
        elif "keep-alive" in conn:
            keep_alive = True

        if method == "HEAD" or status in _NO_BODY or status < 200:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._read_chunked(reader)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            body = await reader.readexactly(length) if length else b""
        else:  # no framing: the body runs to the end of the connection
            body = await reader.read(-1)
            keep_alive = False
        if not keep_alive:
            self.close()
        return status, headers, body

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        chunks = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, up to the blank line
                    pass
                return b"".join(chunks)
            chunk = await reader.readexactly(size + 2)
            chunks.append(chunk[:-2])

    def _set_cookie(self, value: str) -> None:
        pair, _, attrs = value.partition(";")
        name, sep, val = pair.partition("=")
        name, val = name.strip(), val.strip()
        if not sep or not name:
            return
        attrs = attrs.lower().replace(" ", "")
        # Django deletes a cookie with an empty value, Max-Age=0 and a 1970 expiry.
        if val in ("", '""') or "max-age=0" in attrs or "expires=thu,01jan1970" in attrs:
            if self.cookies.pop(name, None) is not None:
                self._jar_version += 1
        elif self.cookies.get(name) != val:
            self.cookies[name] = val
            self._jar_version += 1

    # -- shortcuts ----------------------------------------------------------------------------------------------------

    async def get(self, path: str, headers: dict[str, str] | None = None):
        return await self.request("GET", path, headers=headers)

    async def post(
        self,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ):
        return await self.request("POST", path, body, headers, content_type)
