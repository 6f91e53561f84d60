"""Settings come from MATCHMAKER_* variables; bad values are refused with the variable's name."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from matchmaker import cli
from matchmaker.db import make_engine
from matchmaker.settings import DEFAULT_BASE_URL, MIN_SECRET_LENGTH, Settings

GOOD_SECRET = "a-perfectly-fine-secret-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No MATCHMAKER_* variable of the machine running the tests leaks in."""
    for name in list(os.environ):
        if name.startswith("MATCHMAKER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MATCHMAKER_VAR_DIR", str(tmp_path / "var"))


@pytest.mark.parametrize(
    "secret", ["changeme", "CHANGEME", "secret", "your-secret-key", "dev", "short-key-0123"]
)
def test_settings_refuse_placeholder_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(secret_key=secret)
    assert [error["loc"] for error in caught.value.errors()] == [("secret_key",)]


def test_settings_accept_long_secret() -> None:
    settings = Settings(secret_key=GOOD_SECRET)
    assert settings.resolved_secret_key() == GOOD_SECRET


def test_settings_generated_secret_is_stored_under_var_and_reused(tmp_path: Path) -> None:
    first = Settings().resolved_secret_key()
    stored = tmp_path / "var" / "secret_key"
    assert stored.read_text() == first
    assert len(first) >= MIN_SECRET_LENGTH
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert Settings().resolved_secret_key() == first


def test_settings_generated_secret_replaces_a_truncated_stored_one(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("too-short")
    key = Settings().resolved_secret_key()
    assert key != "too-short"
    assert (tmp_path / "var" / "secret_key").read_text() == key


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHMAKER_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("MATCHMAKER_DEFAULT_LOCALE", "en")
    monkeypatch.setenv("MATCHMAKER_BASE_URL", "https://matchmaker.example.vn/")
    monkeypatch.setenv("MATCHMAKER_SMTP_HOST", "smtp.example.vn")
    settings = Settings()
    assert (settings.default_locale, settings.base_url) == ("en", "https://matchmaker.example.vn")
    assert settings.smtp.configured is True


def test_settings_default_database_is_sqlite_file_under_var(tmp_path: Path) -> None:
    url = Settings().resolved_database_url()
    assert url == f"sqlite:///{(tmp_path / 'var' / 'matchmaker.db').resolve()}"


@pytest.mark.parametrize("locale", ["fr", "VI", "vi-VN", ""])
def test_settings_refuse_unknown_locale(locale: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(default_locale=locale)
    assert [error["loc"] for error in caught.value.errors()] == [("default_locale",)]


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://example.vn", "matchmaker.example.vn"])
def test_settings_refuse_bad_base_url(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(base_url=url)
    assert [error["loc"] for error in caught.value.errors()] == [("base_url",)]


@pytest.mark.parametrize("url", ["mysql://db/matchmaker", "not a url", "sqlite3:///x.db"])
def test_settings_refuse_unsupported_database_url(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(database_url=url)
    assert [error["loc"] for error in caught.value.errors()] == [("database_url",)]


@pytest.mark.parametrize(
    "url", ["sqlite:///var/x.db", "postgresql://u:p@localhost/mm", "postgresql+psycopg://h/mm"]
)
def test_settings_accept_supported_database_url(url: str) -> None:
    assert Settings(database_url=url).resolved_database_url() == url


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MATCHMAKER_SECRET_KEY", "changeme"),
        ("MATCHMAKER_DEFAULT_LOCALE", "fr"),
        ("MATCHMAKER_BASE_URL", "example.vn"),
        ("MATCHMAKER_MAX_BODY_BYTES", "lots"),
        ("MATCHMAKER_DATABASE_URL", "mysql://db/x"),
        ("MATCHMAKER_SMTP_PORT", "99999"),
    ],
)
def test_cli_reports_configuration_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    code = cli.main(["db", "upgrade"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"matchmaker: configuration: {variable}: ")
    assert "Traceback" not in err


def test_cli_process_exits_non_zero_on_configuration_error(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MATCHMAKER_")}
    env |= {"MATCHMAKER_VAR_DIR": str(tmp_path / "var"), "MATCHMAKER_SECRET_KEY": "changeme"}
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "MATCHMAKER_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "var" / "matchmaker.db").exists()


def test_cli_reports_unreachable_database_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 on localhost: nothing listens there, the connection is refused at once.
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code = cli.main(["db", "upgrade"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("matchmaker: database: cannot connect")


def test_settings_https_base_url_makes_cookies_secure() -> None:
    assert Settings(base_url="https://matchmaker.example.vn").secure_cookies is True
    assert Settings(base_url="http://127.0.0.1:8000").secure_cookies is False


def test_settings_explicit_secure_cookies_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHMAKER_BASE_URL", "https://matchmaker.example.vn")
    monkeypatch.setenv("MATCHMAKER_SECURE_COOKIES", "false")
    assert Settings().secure_cookies is False


def test_settings_base_url_unset_resolves_to_the_default_address() -> None:
    settings = Settings()
    assert (settings.base_url, settings.resolved_base_url()) == ("", DEFAULT_BASE_URL)


def test_settings_base_url_unset_resolves_to_the_address_serve_recorded() -> None:
    Settings().record_served_url("http://127.0.0.1:8311")
    assert Settings().resolved_base_url() == "http://127.0.0.1:8311"


def test_settings_base_url_set_wins_over_the_address_serve_recorded() -> None:
    Settings().record_served_url("http://127.0.0.1:8311")
    settings = Settings(base_url="https://matchmaker.example.vn")
    assert settings.resolved_base_url() == "https://matchmaker.example.vn"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8311"),
        ("0.0.0.0", "http://127.0.0.1:8311"),
        ("192.168.1.20", "http://192.168.1.20:8311"),
        ("::1", "http://[::1]:8311"),
    ],
)
def test_served_url_is_an_address_to_open(host: str, url: str) -> None:
    assert cli.served_url(host, 8311) == url


def test_settings_forwarded_for_is_believed_only_from_named_proxies(tmp_path: Path) -> None:
    unset = Settings(var_dir=tmp_path, secret_key=GOOD_SECRET)
    named = Settings(var_dir=tmp_path, secret_key=GOOD_SECRET, trusted_proxies="127.0.0.1, ::1")

    assert cli.proxy_options(unset) == (False, None)
    assert cli.proxy_options(named) == (True, ["127.0.0.1", "::1"])


def test_settings_database_and_var_dir_are_private(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", secret_key="")
    settings.resolved_secret_key()
    engine = make_engine(settings.resolved_database_url())
    with engine.connect() as connection:  # WAL: the -wal and -shm files appear
        connection.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
        connection.commit()
    engine.dispose()

    modes = {
        path.name: stat.S_IMODE(path.stat().st_mode)
        for path in (settings.var_dir, *settings.var_dir.iterdir())
    }

    assert modes["var"] == 0o700
    assert modes["matchmaker.db"] == 0o600
    assert modes["secret_key"] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values())
