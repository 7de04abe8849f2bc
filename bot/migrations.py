"""Numbered schema migrations for the bot's side stores, as simonw/llm's embeddings migrations:
each store lists its migrations in order, a table records the ones applied, and opening a store
applies the others, in order, in the caller's transaction. A database made by any earlier
version (before this table existed, too) is brought up to date in place: every migration is
written to hold on a database that already has what it adds."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

TABLE = "busan_bot_migrations"


@dataclass(frozen=True)
class Migration:
    name: str  # "001_tables": recorded once applied, never renamed
    statements: tuple[str, ...] = ()  # run in order ("CREATE TABLE IF NOT EXISTS ...")
    columns: tuple[tuple[str, str, str], ...] = ()  # (table, column, type): added where missing


def migrate(conn, migrations: tuple[Migration, ...], columns_of: Callable[[object, str], set[str]],
            placeholder: str = "?") -> list[str]:
    """Apply the migrations ``conn``'s database has not had, in order; the names applied now.
    ``columns_of(conn, table)``: the table's column names (each database asks its own way)."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (name TEXT PRIMARY KEY, applied DOUBLE PRECISION NOT NULL)")
    done = {row[0] for row in conn.execute(f"SELECT name FROM {TABLE}").fetchall()}
    applied = []
    for migration in migrations:
        if migration.name in done:
            continue
        for statement in migration.statements:
            conn.execute(statement)
        for table, column, kind in migration.columns:
            if column not in columns_of(conn, table):
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        conn.execute(f"INSERT INTO {TABLE} (name, applied) VALUES ({placeholder}, {placeholder})",
                     (migration.name, time.time()))
        applied.append(migration.name)
    return applied


def applied_names(conn) -> list[str]:
    """The migrations a database has had, in the order applied."""
    return [row[0] for row in conn.execute(f"SELECT name FROM {TABLE} ORDER BY applied, name").fetchall()]
