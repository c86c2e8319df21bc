"""Settings from the environment: the database URL."""

from __future__ import annotations

import pytest

from jixiao.web.settings import database_from_url


def test_sqlite_urls():
    assert database_from_url("sqlite:////tmp/x/jixiao.sqlite3")["NAME"] == "/tmp/x/jixiao.sqlite3"
    assert database_from_url("sqlite:///jixiao.sqlite3")["NAME"] == "jixiao.sqlite3"
    assert database_from_url("sqlite:///jixiao.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"


def test_postgresql_url():
    db = database_from_url("postgresql://postgres:p%40ss@127.0.0.1:5432/test")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "postgres",
        "p@ss",
        "127.0.0.1",
        "5432",
        "test",
    )
    assert database_from_url("postgres://u@db/jx")["PORT"] == ""


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="JIXIAO_DATABASE_URL"):
        database_from_url("mysql://x@y/z")


def test_a_refused_url_names_no_password_and_a_bad_port_is_named():
    """The refusal is printed to stderr and the service's logs: the URL's password is not in it. A
    port that is not a number is named as well, not a traceback."""
    from jixiao.web import SettingsError

    with pytest.raises(SettingsError) as e:
        database_from_url("postgresql+psycopg://jx:s3cret-pw@db:5432/jx")
    assert "s3cret-pw" not in str(e.value) and "JIXIAO_DATABASE_URL" in str(e.value)
    with pytest.raises(SettingsError, match="JIXIAO_DATABASE_URL"):
        database_from_url("postgresql://jx:pw@db:54x2/jx")


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e400", "15分钟"])
def test_a_number_setting_that_is_not_a_finite_number_is_named(monkeypatch, raw):
    """`JIXIAO_LOGIN_COOLOFF_MINUTES=nan` passed the number check and failed later in timedelta with
    a traceback: a setting that is not a finite number is refused by name."""
    from jixiao.web import SettingsError
    from jixiao.web.settings import env_number

    monkeypatch.setenv("JIXIAO_LOGIN_COOLOFF_MINUTES", raw)
    with pytest.raises(SettingsError, match="JIXIAO_LOGIN_COOLOFF_MINUTES"):
        env_number("JIXIAO_LOGIN_COOLOFF_MINUTES", "15", float)
    monkeypatch.setenv("JIXIAO_LOGIN_COOLOFF_MINUTES", "7.5")
    assert env_number("JIXIAO_LOGIN_COOLOFF_MINUTES", "15", float) == 7.5
