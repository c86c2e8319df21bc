"""A benchmark's own PostgreSQL database, dropped and created anew (shared by the benches that
load data: store.py, web.py, api_fuzz.py; run as `python bench/X.py`, which puts bench/ on the path)."""

from __future__ import annotations

import urllib.parse


def recreate_postgres(url: str) -> None:
    """Drop the database `url` names (closing its connections) and create it empty."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
