"""Version rows kept by database triggers, for the migrations that create them.

A version table holds one row (``id`` 1) whose ``token`` every write to the
watched tables replaces, in the write's own transaction, however it is made
(services, admin, bulk updates, cascades, raw SQL). A process may keep what it
read from those tables under the token it read first: the first read after a
committed write sees a new token. Tokens are random rather than counters, so a
rolled-back write's token is never issued again for other data. The row is
upserted, so a flushed database gets it back at its first write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# PostgreSQL: one trigger per statement; SQLite has row triggers only.
_PG_FUNCTION = """
CREATE FUNCTION {table}_bump() RETURNS trigger AS $$
BEGIN
    INSERT INTO {table} (id, token) VALUES (1, (random() * 9.2e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
# No conflict can arise here: the ON CONFLICT clause of the statement that fires
# a SQLite trigger overrides those inside it (``INSERT OR IGNORE`` from Django's
# ``bulk_create(ignore_conflicts=True)`` would turn an upsert into a no-op).
_SQLITE_BUMP = (
    "UPDATE {table} SET token = random() WHERE id = 1;"
    " INSERT INTO {table} (id, token) SELECT 1, random()"
    " WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE id = 1);"
)
_EVENTS = ("insert", "update", "delete")


def version_triggers_create(schema_editor: Any, *, table: str, watched: Sequence[str]) -> None:
    """Triggers on ``watched`` replacing the token of version ``table``, and its row."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(_PG_FUNCTION.format(table=table))
        for name in watched:
            execute(
                f"CREATE TRIGGER {name}_{table} AFTER INSERT OR UPDATE OR DELETE ON {name}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {table}_bump()"
            )
    else:
        for name in watched:
            for event in _EVENTS:
                execute(
                    f"CREATE TRIGGER {name}_{table}_{event} AFTER {event.upper()} ON {name}"
                    f" BEGIN {_SQLITE_BUMP.format(table=table)} END"
                )
    execute(f"INSERT INTO {table} (id, token) VALUES (1, 1)")  # noqa: S608 (names from migrations)


def version_triggers_drop(schema_editor: Any, *, table: str, watched: Sequence[str]) -> None:
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for name in watched:
            execute(f"DROP TRIGGER {name}_{table} ON {name}")
        execute(f"DROP FUNCTION {table}_bump()")
    else:
        for name in watched:
            for event in _EVENTS:
                execute(f"DROP TRIGGER {name}_{table}_{event}")
