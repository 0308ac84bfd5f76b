"""Safe fetching: the only module of the loader that opens network connections.

What it guards against (measured in our dependencies, see DESIGN.md):
- ``requests`` follows redirects to loopback and private addresses. Redirects are followed
  here, hop by hop, at most ``max_redirects``; every host is resolved and refused when any of
  its addresses is not global, and the address a connection actually reached is checked
  again before a request is sent on it (no DNS-rebinding window). ``allow_private`` lifts
  this for one source.
- ``requests`` decompresses gzip transparently, so ``Content-Length`` says nothing about the
  size held in memory: bytes are counted after decompression, while streaming, and the
  response is dropped as soon as the cap is passed. Gzipped files are inflated the same way.
- A server that trickles bytes defeats a read time-out: each response also has a deadline,
  from the request on, checked after every receive (each waits at most the time left) and
  enforced by closing the socket when it passes.
Only http(s) URLs are fetched; file paths come from the operator's configuration alone and
are read by :func:`read_file` with the same cap. No URL is ever handed to a parser.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError

from regiograph import __version__
from regiograph.loader.errors import FetchError, NotModified

log = logging.getLogger(__name__)

USER_AGENT = f"regiograph/{__version__} (linked open data harvester)"
RETRY_STATUS = {429, 500, 502, 503, 504}
REDIRECT_STATUS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
MAX_RETRY_AFTER_S = 60.0


class AddressRefused(FetchError):
    """A host resolved, or a connection led, to an address the source may not reach."""


@dataclass(frozen=True)
class Fetched:
    """One response body, complete and within the cap."""

    url: str  # after redirects
    body: bytes
    media_type: str  # lower case, without parameters ("" when the server sent none)
    charset: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 256 * 1024 * 1024
    max_redirects: int = 5
    connect_timeout_s: float = 5.0
    timeout_s: float = 30.0
    deadline_s: float = 300.0
    retries: int = 3
    retry_backoff_s: float = 1.0
    allow_private: bool = False

    @classmethod
    def of(cls, source) -> Limits:
        return cls(**{name: getattr(source, name) for name in cls.__dataclass_fields__})


def check_address(address: str, host: str) -> None:
    """Refuse any address that is not global (loopback, private, link-local, reserved …)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not ip.is_global:
        raise AddressRefused(
            f"{host} resolves to {ip}, a {_kind(ip)} address; only public "
            "addresses are harvested unless the source sets allow_private"
        )


def _kind(ip) -> str:
    for name in ("loopback", "private", "link_local", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return "non-public"


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        try:
            check_address(sock.getpeername()[0], self.host)
        except AddressRefused:
            sock.close()
            raise
        return sock


class _GuardedHTTPSConnection(HTTPSConnection, _GuardedHTTPConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


class Fetcher:
    """HTTP GET for one source's run, with its limits; use as a context manager."""

    def __init__(self, limits: Limits, *, sleep=time.sleep, resolve=socket.getaddrinfo):
        self.limits = limits
        self._resolve = resolve  # the name lookup of the pre-connection check
        self.requests = 0
        self.bytes = 0
        self._sleep = sleep
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc from the environment
        self.session.headers["User-Agent"] = USER_AGENT
        if not limits.allow_private:
            adapter = _GuardedAdapter()
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.session.close()

    def get(
        self,
        url: str,
        *,
        accept: str,
        params: dict | None = None,
        validators: tuple[str, str] | None = None,
    ) -> Fetched:
        """The body at ``url``, following redirects; NotModified when ``validators``
        (ETag, Last-Modified of the last run) still hold."""
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if validators and validators[0]:
            headers["If-None-Match"] = validators[0]
        if validators and validators[1]:
            headers["If-Modified-Since"] = validators[1]
        visited: list[str] = []
        current = url
        for _ in range(self.limits.max_redirects + 1):
            self._check_url(current)
            response = self._request(current, headers, params if not visited else None)
            if response.status_code not in REDIRECT_STATUS:
                return self._read(response, current)
            target = _redirect_target(response, current)
            visited.append(current)
            if target in visited:
                raise FetchError(f"{url}: redirect loop ({current} → {target})")
            current = target
        raise FetchError(f"{url}: more than {self.limits.max_redirects} redirects")

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url}: only http and https URLs are fetched")
        if self.limits.allow_private:
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = self._resolve(parts.hostname, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError(f"{url}: cannot resolve {parts.hostname} ({exc.strerror})") from None
        for info in infos:
            check_address(info[4][0], parts.hostname)

    def _request(self, url: str, headers: dict, params: dict | None) -> requests.Response:
        """One hop, retried with back-off on time-outs, connection failures, 429 and 5xx."""
        limits = self.limits
        for attempt in range(limits.retries + 1):
            last = attempt == limits.retries
            try:
                response = self.session.get(
                    url,
                    headers=headers,
                    params=params,
                    stream=True,
                    allow_redirects=False,
                    timeout=(limits.connect_timeout_s, min(limits.timeout_s, limits.deadline_s)),
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                if last:
                    raise FetchError(
                        f"{url}: {_reason(exc)} (after {attempt + 1} attempts)"
                    ) from None
                self._pause(attempt, None, f"{url}: {_reason(exc)}")
                continue
            self.requests += 1
            if response.status_code in RETRY_STATUS and not last:
                response.close()
                self._pause(
                    attempt,
                    response.headers.get("Retry-After"),
                    f"{url}: HTTP {response.status_code}",
                )
                continue
            return response
        raise AssertionError("unreachable")

    def _pause(self, attempt: int, retry_after: str | None, why: str) -> None:
        delay = self.limits.retry_backoff_s * (2**attempt)
        delay = max(delay, _retry_after_s(retry_after))
        log.info("%s; trying again in %.1f s", why, delay)
        self._sleep(min(delay, MAX_RETRY_AFTER_S))

    def _read(self, response: requests.Response, url: str) -> Fetched:
        with response:
            if response.status_code == 304:
                raise NotModified(url)
            if response.status_code >= 300:
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}")
            body = self._body(response, url)
        media_type, charset = _content_type(response.headers.get("Content-Type", ""))
        if media_type in ("application/gzip", "application/x-gzip") or (
            url.endswith(".gz") and body[:2] == b"\x1f\x8b"
        ):
            body = gunzip(body, self.limits.max_bytes, url)
            media_type = ""  # the wrapped document's type is unknown: go by its name
        return Fetched(
            url=url,
            body=body,
            media_type=media_type,
            charset=charset,
            etag=response.headers.get("ETag", ""),
            last_modified=response.headers.get("Last-Modified", ""),
        )

    def _body(self, response: requests.Response, url: str) -> bytes:
        """The body, decompressed, within the cap and the deadline.

        A read time-out alone does not stop a server that trickles a byte now and then, and a
        read of a whole chunk would wait for the chunk: each read takes what one receive gives
        (``read1``), with the socket's time-out cut to the time left, and the deadline is
        checked after each. A watchdog closes the socket at the deadline for what still waits
        on several receives (a trickled chunk-size line of a chunked response).
        """
        limits = self.limits
        # the deadline counts from the request: the wait for the headers is part of it
        deadline = time.monotonic() + limits.deadline_s - response.elapsed.total_seconds()
        sock = getattr(response.raw.connection, "sock", None)
        cut = threading.Event()  # set by the watchdog: what was read since may be cut short
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _shut, (sock, cut))
        watchdog.daemon = True
        watchdog.start()
        parts: list[bytes] = []
        size = 0
        try:
            while chunk := self._read1(response, sock, deadline, url):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchError(
                        f"{url}: larger than the cap of {limits.max_bytes:,} bytes "
                        "(counted after decompression); raise max_bytes if it "
                        "is expected"
                    )
                parts.append(chunk)
        except (requests.RequestException, HTTPError, OSError, zlib.error) as exc:
            if cut.is_set() or time.monotonic() >= deadline:
                raise FetchError(f"{url}: not complete after {limits.deadline_s:.0f} s") from None
            raise FetchError(f"{url}: the response broke off ({_reason(exc)})") from None
        finally:
            watchdog.cancel()
        if cut.is_set():  # e.g. a chunked body whose size line was cut reads as ended
            raise FetchError(f"{url}: not complete after {limits.deadline_s:.0f} s")
        self.bytes += size
        return b"".join(parts)

    def _read1(self, response: requests.Response, sock, deadline: float, url: str) -> bytes:
        """What one receive gives, decompressed (at most CHUNK bytes); b"" at the end."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"{url}: not complete after {self.limits.deadline_s:.0f} s")
        if sock is not None:
            sock.settimeout(min(self.limits.timeout_s, left))
        return response.raw.read1(CHUNK, decode_content=True)


def _shut(sock, cut: threading.Event) -> None:
    """Ends the reads still waiting on ``sock`` (they see the connection closed)."""
    cut.set()
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def gunzip(data: bytes, cap: int, where: str) -> bytes:
    """A gzip document inflated piece by piece, refused as soon as it passes ``cap``."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = data
    try:
        while pending:
            out += inflater.decompress(pending, cap + 1 - len(out))
            if len(out) > cap:
                raise FetchError(
                    f"{where}: larger than the cap of {cap:,} bytes once decompressed (gzip bomb?)"
                )
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise FetchError(f"{where}: not valid gzip ({exc})") from None
    return bytes(out)


def read_file(path: Path, cap: int) -> bytes:
    """A file from the operator's configuration, with the same cap as a download."""
    try:
        size = path.stat().st_size
        if size > cap:
            raise FetchError(f"{path}: larger than the cap of {cap:,} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"{path}: {exc.strerror}") from None
    if path.suffix == ".gz":
        data = gunzip(data, cap, str(path))
    return data


def _redirect_target(response: requests.Response, url: str) -> str:
    location = response.headers.get("Location")
    response.close()
    if not location:
        raise FetchError(f"{url}: HTTP {response.status_code} without a Location")
    return urljoin(url, location)


def _content_type(value: str) -> tuple[str, str]:
    media_type, _, rest = value.partition(";")
    charset = ""
    for param in rest.split(";"):
        name, _, val = param.strip().partition("=")
        if name.lower() == "charset":
            charset = val.strip('"').lower()
    return media_type.strip().lower(), charset


def _retry_after_s(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 0.0


def _reason(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Connection reset"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def first_bytes(url: str, cap: int, headers: dict[str, str], timeout_s: float) -> bytes | None:
    """At most ``cap`` + one chunk of the start of ``url`` (no redirects, no proxies from the
    environment), or None when it cannot be read — for the catalogue's previews, whose hosts
    the caller has already checked against its allow-list."""
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    try:
        with session.get(
            url, headers=headers, timeout=timeout_s, stream=True, allow_redirects=False
        ) as response:
            if response.status_code not in (200, 206):
                return None
            data = b""
            for chunk in response.iter_content(16 * 1024):
                data += chunk
                if len(data) > cap:
                    break
            return data
    except requests.RequestException:
        return None
    finally:
        session.close()
