"""Sessions in the database, as Django's `db` backend keeps them, each request's read one statement that
PostgreSQL prepared once per database session (zhangwan.prepared.execute)."""

import copy
import threading

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from zhangwan.prepared import execute

DECODED_KEPT = 10_000  # sessions' decoded data kept per process (their stored text ~200 bytes each)
_DECODED: dict[str, dict] = {}
_DECODED_LOCK = threading.Lock()


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, never a cache (settings.SESSION_ENGINE says why). Only the read of a request's
    session differs: one statement of fixed text for its row if not expired, prepared by PostgreSQL once, where
    the ORM's `get()` compiled the same query on every request (about 0.3 ms of processor against 0.1). Writes,
    expiry and deletion are Django's."""

    def _get_session_from_db(self):
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            execute(cursor, f"SELECT session_data, expire_date FROM {table} "
                            "WHERE session_key = %s AND expire_date > %s", [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])

    def decode(self, session_data):
        """Django's decoding (its signature checked, then its JSON read), once per stored text: a logged-in
        user's requests read the same text until the session changes, and the check and the reading were a
        third of the session's cost (issue 21). A text whose signature fails is not kept; each request gets
        a copy of its own."""
        found = _DECODED.get(session_data)
        if found is None:
            found = super().decode(session_data)
            if not found:
                return found
            with _DECODED_LOCK:
                while len(_DECODED) >= DECODED_KEPT:  # the oldest first
                    _DECODED.pop(next(iter(_DECODED)))
                _DECODED[session_data] = found
        if any(isinstance(value, (dict, list)) for value in found.values()):
            return copy.deepcopy(found)
        return dict(found)
