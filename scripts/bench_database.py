"""The benchmarks' own PostgreSQL database: created on first use, reused after."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def bench_database_ensure(database_url: str) -> None:
    """Create the database the URL names unless it exists, through the `postgres` database."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            print(f"Creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')
