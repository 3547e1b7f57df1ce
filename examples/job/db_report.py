"""A batch job on PostgreSQL: psycopg directly and through SQLAlchemy, inside one manual span.

Run it instrumented:  PGHOST=127.0.0.1 PGUSER=postgres opentelemetry-instrument python -m examples.job.db_report
"""

from __future__ import annotations

import logging

import psycopg
import sqlalchemy as sa

import otelward

log = logging.getLogger("db_report")


@otelward.traced("load customers")
def load_with_psycopg() -> int:
    # libpq reads PGHOST, PGPORT, PGUSER and PGDATABASE from the environment.
    with psycopg.connect() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS customers (id int PRIMARY KEY, email text, tier text)")
        conn.execute(
            "INSERT INTO customers VALUES (1, 'ada@example.com', 'gold') ON CONFLICT (id) DO NOTHING"
        )
        with conn.cursor() as cur:
            cur.execute("SELECT id, email FROM customers WHERE tier = %s", ("gold",))
            return len(cur.fetchall())


@otelward.traced("count with sqlalchemy")
def count_with_sqlalchemy() -> int:
    engine = sa.create_engine("postgresql+psycopg://")
    with engine.connect() as conn:
        value = conn.execute(sa.text("SELECT count(*) FROM customers WHERE tier = :tier"), {"tier": "gold"})
        return int(value.scalar_one())


def main() -> None:
    with otelward.span("customer report"):
        loaded = load_with_psycopg()
        counted = count_with_sqlalchemy()
    log.info("report: %s loaded, %s counted", loaded, counted)
    print(loaded, counted)


if __name__ == "__main__":
    main()
