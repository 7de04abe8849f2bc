"""The contract of the update journal (bot/update_journal.py) over SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot import update_journal
from bot.side_stores import Journal


class JournalContract:
    @pytest.fixture()
    def make(self, tmp_path):
        raise NotImplementedError

    def test_what_is_done_is_not_left_over(self, make, monkeypatch):
        monkeypatch.setattr(update_journal, "CLAIM_AFTER_S", -1.0)  # every row counts as left by a dead bot
        journal = make()
        assert isinstance(journal, Journal)
        journal.add(1, '{"update_id": 1}')
        journal.add(2, '{"update_id": 2}')
        journal.add(2, '{"update_id": 2}')  # delivered twice: kept once
        journal.done(1)
        assert journal.claim_left_over() == ['{"update_id": 2}']
        assert journal.claim_left_over() == []  # claimed: nobody answers it twice


class TestSqliteJournal(JournalContract):
    @pytest.fixture()
    def make(self, tmp_path):
        return lambda: update_journal.SqliteJournal(tmp_path / "fb.sqlite3")


class TestPostgresJournal(JournalContract):
    @pytest.fixture()
    def make(self, pg_url):
        from retrieval.store.pg_database import Database

        dbs = []
        yield lambda: update_journal.PgJournal(dbs.append(Database(pg_url, pool_size=2)) or dbs[-1])
        for db in dbs:
            db.close()

    def test_a_replica_claims_only_what_a_dead_one_left(self, make):
        first, second = make(), make()
        first.add(10, '{"update_id": 10}')  # being answered by a live replica right now
        assert second.claim_left_over() == []
