"""Django's database sessions, the row read by one plain statement (``SESSION_ENGINE = "staff.sessions"``).

Every staff request reads its session row; the ORM compiled ``Session.objects.get(session_key=…, expire_date__gt=…)``
anew each time (issue 14, docs/performance.md "Issue 14 (session 9)"). The statement is the same — key and unexpired — and
everything else (saving, cycling the key, flushing, ``clearsessions``) is Django's ``db`` engine unchanged, on the
same table: sessions opened before the switch stay valid.
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class _Row(NamedTuple):
    session_data: str


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key  # None when the cookie's key is malformed (Django's setter refuses it)
        if not key:
            self._session_key = None
            return None
        conn = connections[router.db_for_read(self.model)]
        q, meta = conn.ops.quote_name, self.model._meta
        sql = (
            f"SELECT {q(meta.get_field('session_data').column)} FROM {q(meta.db_table)} "
            f"WHERE {q(meta.get_field('session_key').column)} = %s AND {q(meta.get_field('expire_date').column)} > %s"
        )
        with conn.cursor() as cursor:
            cursor.execute(sql, [key, conn.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return _Row(row[0])
