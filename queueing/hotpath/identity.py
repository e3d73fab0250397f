"""Who may use the hot path: credentials that Django itself accepted a moment ago, in this process.

The hot path (``queueing.hotpath``) does not re-implement sessions, CSRF or token checks. When Django's full request
path has served one of the hot endpoints successfully, the view calls ``remember(request)``: the exact credential
headers of that request (session cookie + CSRF cookie + ``X-CSRFToken`` + ``Origin``/``Referer``/``Host``, or the
device token header) are kept for ``QUEUE_HOT_PATH_AUTH_TTL`` seconds with what they proved (the user and the halls
where they may serve / supervise, or the token's hall and kind). A later request presenting byte-identical headers
within that time may be served hot; anything else goes through Django, which refreshes the entry.

So a cross-site request can never ride on it (it cannot set ``X-CSRFToken``), and a change that Django would refuse
takes effect at once (logout, role grant/withdrawal, user saved — password change or deactivation —, token revoked
or saved, session deleted but not merely saved): every signal below empties the memo of this process at once and,
by a PostgreSQL NOTIFY right after the change commits, of every other web process (``db.listening``) — on SQLite,
by a version that triggers bump and every hot transaction checks (``lite``). The NOTIFY is
also sent by database triggers (migration ``queueing.0004``) on every change of those tables, so a direct UPDATE, a
``QuerySet.update()``/``bulk_update()`` or another program's change is heard too — no signal needed. An expired
session is refused by ``lookup`` itself (``Identity.expires``), and ``request_acceptable`` applies ALLOWED_HOSTS and
the HTTPS redirect before any credential is looked at. An entry
remembered while a process was not listening (or before its listener last reconnected) is trusted for
``FALLBACK_TTL`` seconds only. A request that Django authenticated before a change and remembers after it is not
kept (``generation``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.http.cookie import parse_cookie

_lock = threading.Lock()
_entries: dict[bytes, Identity] = {}
MAX_ENTRIES = 20_000
# Seconds an entry is trusted while this process could miss other processes' changes (not listening).
FALLBACK_TTL = 5.0
CHANNEL = "tingwu_hot_path_forget"  # PostgreSQL NOTIFY channel
SCOPE_KEY = "tingwu.hot_path_generation"  # in the ASGI scope of a request the hot path handed to Django
# SQLite: the credential version (lite.version) read before the request went to Django; checked by every hot
# transaction, so an entry proven before any change is never served after it.
VERSION_KEY = "tingwu.hot_path_credential_version"
_generation = 0  # bumped by every forget(): an entry proven before a change is not kept after it


@dataclass(frozen=True, slots=True)
class Identity:
    at: float  # time.monotonic() when Django accepted it
    epoch: int  # db.epoch() then: the full TTL only while the same listening connection has been up since
    user_id: int | None = None  # staff session
    serve_halls: frozenset[int] | None = None  # None: every hall (an HQ role granting it)
    supervise_halls: frozenset[int] | None = None
    token_id: int | None = None  # device token
    token_hall_id: int | None = None
    token_kind: str = ""
    # time.time() from which Django would refuse the session by itself, without any row changing: its expiry date
    # and the absolute lifetime of staff.middleware (0 = none). Nothing announces that moment, so lookup checks it.
    expires: float = 0.0
    db_version: int | None = None  # SQLite: the credential version when Django accepted it (lite.py)

    def serves(self, hall_id: int) -> bool:
        return self.serve_halls is None or hall_id in self.serve_halls

    def supervises(self, hall_id: int) -> bool:
        return self.supervise_halls is None or hall_id in self.supervise_halls


def _ttl(entry: Identity) -> float:
    """How long an accepted credential is reused: the setting if every change since it was accepted would have
    reached this process (NOTIFY), else FALLBACK_TTL."""
    from queueing.hotpath import db

    ttl = float(getattr(settings, "QUEUE_HOT_PATH_AUTH_TTL", 60))
    if entry.db_version is not None:
        return ttl  # SQLite: each hot transaction checks the credential version itself
    return ttl if db.listening() and entry.epoch == db.epoch() else min(ttl, FALLBACK_TTL)


def generation() -> int:
    return _generation


def _key(parts: tuple) -> bytes:
    return hashlib.sha256("\x00".join(p or "" for p in parts).encode("utf-8", "surrogateescape")).digest()


def _session_parts(cookie_header: str, get) -> tuple | None:
    cookies = parse_cookie(cookie_header or "")
    session = cookies.get(settings.SESSION_COOKIE_NAME)
    if not session:
        return None
    return (
        "session",
        session,
        cookies.get(settings.CSRF_COOKIE_NAME, ""),
        get("x-csrftoken"),
        get("origin"),
        get("referer"),
        get("host"),
    )


def _token_parts(get) -> tuple | None:
    auth = get("authorization")
    return ("token", auth) if auth else None


# --- used by Django views (full path) ---------------------------------------------------------------------------


def remember(request) -> None:
    """Record the credentials of a request Django has just authenticated and served (call after the service ran)."""
    if not settings.QUEUE_HOT_PATH:
        return  # no hot path to serve them: the look-ups below would be work for nobody (issue 14)
    from integrations.models import ApiToken

    def get(name: str) -> str:
        return request.headers.get(name, "")

    scope = getattr(request, "scope", None) or {}
    if scope.get(SCOPE_KEY, _generation) != _generation:
        return  # a credential changed while Django served this request: its verdict may be stale
    from queueing.hotpath import db

    auth = getattr(request, "auth", None)
    at, epoch, version = time.monotonic(), db.epoch(), scope.get(VERSION_KEY)
    if isinstance(auth, ApiToken):
        if not get("authorization"):  # X-Device-Token requests are not hot-path candidates
            return
        parts = _token_parts(get)
        entry = Identity(
            at=at,
            epoch=epoch,
            token_id=auth.pk,
            token_hall_id=auth.hall_id,
            token_kind=auth.kind,
            db_version=version,
        )
    else:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or auth is None:
            return
        parts = _session_parts(get("cookie"), get)
        if parts is None:
            return
        from staff.access import hall_ids_with
        from staff.middleware import password_change_required

        if password_change_required(user):
            return  # Django answers 403 password_change_required on /api/ (staff.middleware): never hot
        serve, supervise = hall_ids_with(user, "queue.serve"), hall_ids_with(user, "queue.supervise")
        entry = Identity(
            at=at,
            epoch=epoch,
            user_id=user.pk,
            serve_halls=None if serve is None else frozenset(serve),
            supervise_halls=None if supervise is None else frozenset(supervise),
            expires=_session_expires(request),
            db_version=version,
        )
    with _lock:
        if scope.get(SCOPE_KEY, _generation) != _generation:
            return
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[_key(parts)] = entry


def _session_expires(request) -> float:
    """When Django will refuse this session with no row changing: its expiry date, or the absolute lifetime
    counted from login (staff.middleware STARTED_KEY), whichever comes first."""
    from staff.middleware import STARTED_KEY

    session = request.session
    ends = [session.get_expiry_date().timestamp()]
    started = session.get(STARTED_KEY)
    if started:
        ends.append(float(started) + settings.SESSION_COOKIE_AGE)
    return min(ends)


# --- used by the hot path -----------------------------------------------------------------------------------------


def request_acceptable(scope, headers: dict[str, str]) -> bool:
    """What Django checks before any credential: the Host against ALLOWED_HOSTS (else 400) and, with
    SECURE_SSL_REDIRECT, that the request came over HTTPS (else 301). A request failing either goes to Django,
    which gives its own answer; the hot path never serves it."""
    from django.http.request import split_domain_port, validate_host

    domain, _port = split_domain_port(headers.get("host", ""))
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return False
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        secure = scope.get("scheme") == "https"
        proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if proxy:
            name, value = proxy
            header = name.lower().removeprefix("http_").replace("_", "-")
            secure = secure or headers.get(header, "").split(",")[0].strip() == value
        if not secure:
            return False
    return True


def lookup(headers: dict[str, str], *, kind: str) -> Identity | None:
    """The identity proven by these exact headers a moment ago, or None (→ Django). ``kind``: "token" or "session"."""
    get = headers.get
    if kind == "token":
        parts = _token_parts(lambda n: get(n, ""))
    else:
        if get("authorization"):  # the API tries device tokens first: let Django decide
            return None
        parts = _session_parts(get("cookie", ""), lambda n: get(n, ""))
    if parts is None:
        return None
    entry = _entries.get(_key(parts))
    if entry is None or time.monotonic() - entry.at > _ttl(entry):
        return None
    if entry.expires and time.time() >= entry.expires:
        return None  # the session expired: Django refuses it (no signal, no row change announces this)
    if (kind == "token") != (entry.token_id is not None):
        return None
    return entry


def forget_here() -> None:
    """Drop every remembered credential of this process (also what another process's NOTIFY does)."""
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def forget(**_kwargs) -> None:
    """Signal receiver: drop every remembered credential here now, and in every web process once the change has
    committed (never for a rolled-back one). Once per transaction: deleting many sessions announces it once."""
    from django.db import connection, transaction

    forget_here()
    if connection.vendor != "postgresql":
        return  # SQLite: the triggers bump the credential version (lite.py); one process, nothing to announce
    if any(entry[1] is _announce for entry in connection.run_on_commit):
        return
    # robust: the change is committed whatever happens here; a failed NOTIFY leaves the others to the TTL (logged).
    transaction.on_commit(_announce, robust=True)


def _announce() -> None:
    # Again at commit: a request of this process that read the old rows between the signal and the commit carries
    # an older generation from here on, so what it proved is not remembered.
    forget_here()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.contrib.sessions.models import Session
    from django.db.models.signals import post_delete, post_save

    from integrations.models import ApiToken, token_revoked
    from staff.models import HallAssignment, RegionAssignment, StaffProfile

    user_logged_out.connect(forget, dispatch_uid="hotpath_logout")
    token_revoked.connect(forget, dispatch_uid="hotpath_token_revoked")
    for model in (get_user_model(), HallAssignment, RegionAssignment, StaffProfile, ApiToken, Session):
        name = f"{model._meta.app_label}_{model.__name__}"
        post_delete.connect(forget, sender=model, dispatch_uid=f"hotpath_delete_{name}")
        # Not a session's save: the idle stamp writes each clerk's session once a minute, and emptying the memo
        # then sent every clerk of the process back through Django. A session ends by deletion (logout, flush,
        # expiry clean-up, a new key at login); what it proves changes only through the models above.
        if model is not Session:
            post_save.connect(forget, sender=model, dispatch_uid=f"hotpath_save_{name}")
