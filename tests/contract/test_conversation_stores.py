"""The contract of a conversation store (retrieval.memory.ConversationStore), run over
memory, the bot's SQLite file and PostgreSQL (the test server of tests/conftest.py)."""

from __future__ import annotations

import sqlite3

import pytest

from retrieval.memory import Conversation, MemoryConversations, Turn

KEY = b"k" * 32


def _conversation(*questions: str) -> Conversation:
    conversation = Conversation()
    for i, q in enumerate(questions):
        conversation = conversation.add(Turn(q, f"{q} (Busan)", "vi", "answered", ("Thị trưởng Park Heong-joon",),
                                             ("Busan", "TP.HCM"), ("p1", "p2"), 2, 100.0 + i))
    return conversation


class ConversationStoreContract:
    shared = True  # two handles see the same data (a restart, another replica)

    @pytest.fixture()
    def make(self, tmp_path):
        raise NotImplementedError

    def test_what_is_saved_is_loaded_whole(self, make):
        store = make()
        saved = _conversation("ai đón Tổng Bí thư?", "ông ấy nói gì?")
        store.save("tg:1", saved)
        assert store.load("tg:1") == saved
        assert store.load("tg:2") is None

    def test_a_save_replaces_and_forget_removes(self, make):
        store = make()
        store.save("tg:1", _conversation("a"))
        store.save("tg:1", _conversation("a", "b"))
        assert [t.question for t in store.load("tg:1").turns] == ["a", "b"]
        store.forget("tg:1")
        assert store.load("tg:1") is None
        store.forget("tg:1")  # forgetting twice is no error

    def test_another_handle_sees_the_conversation(self, make):
        if not self.shared:
            pytest.skip("memory is one process's")
        first, second = make(), make()
        first.save("tg:5:7", _conversation("Busan ở đâu?"))
        assert second.load("tg:5:7") == first.load("tg:5:7")


class TestMemoryConversations(ConversationStoreContract):
    shared = False

    @pytest.fixture()
    def make(self):
        store = MemoryConversations()
        return lambda: store


class TestSqliteConversations(ConversationStoreContract):
    @pytest.fixture()
    def make(self, tmp_path):
        from bot.conversation_stores import SqliteConversations

        return lambda: SqliteConversations(tmp_path / "fb.sqlite3", KEY, kept_s=1800)

    def test_chat_ids_are_kept_only_as_keyed_hashes(self, make, tmp_path):
        make().save("tg:123456789", _conversation("a"))
        keys = [row[0] for row in sqlite3.connect(tmp_path / "fb.sqlite3").execute("SELECT key FROM conversations")]
        assert keys and not any("123456789" in k for k in keys)


class TestPostgresConversations(ConversationStoreContract):
    @pytest.fixture()
    def make(self, pg_url):
        from bot.conversation_stores import PgConversations
        from retrieval.store.pg_database import Database

        dbs = []
        yield lambda: PgConversations(dbs.append(Database(pg_url, pool_size=2)) or dbs[-1], KEY, kept_s=1800)
        for db in dbs:
            db.close()
