"""Settings from MATCHMAKER_* environment variables, read by create_app()."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from matchmaker.paths import private_dir

PLACEHOLDER_SECRETS = {
    "",
    "secret",
    "changeme",
    "change-me",
    "change_me",
    "dev",
    "development",
    "password",
    "test",
    "xxx",
    "your-secret-key",
    "secret-key",
}
MIN_SECRET_LENGTH = 32
# Where links made outside a request point when neither MATCHMAKER_BASE_URL nor a
# `matchmaker serve` record says otherwise (the address `make run` serves on).
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
SERVED_URL_FILE = "served_url"


class SMTPSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHMAKER_SMTP_", extra="ignore")

    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    username: str = ""
    password: str = ""
    starttls: bool = True
    sender: str = "Matchmaker <no-reply@localhost>"

    @property
    def configured(self) -> bool:
        return bool(self.host)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHMAKER_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    # Unset: links in responses use the address the request came to, and links made
    # outside a request the one `matchmaker serve` listens on (resolved_base_url).
    base_url: str = ""
    default_locale: str = "vi"
    debug: bool = False
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    login_max_attempts: int = Field(default=5, ge=1)  # failures per email and window
    # Failures per client address and window: higher, since the event's Wi-Fi puts
    # hundreds of participants behind one address.
    login_max_client_attempts: int = Field(default=100, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    sign_in_link_hours: int = Field(default=72, ge=1)
    # `matchmaker serve` warns when the disk of the database or of var_dir has less free.
    min_free_mb: int = Field(default=200, ge=0)
    secure_cookies: bool = False
    # Addresses of the reverse proxies whose X-Forwarded-For names the real client
    # (comma-separated, e.g. "127.0.0.1"); unset, nobody's is believed, so a client
    # cannot pick the address the sign-in rate limits count.
    trusted_proxies: str = ""
    # `matchmaker serve`: worker processes (0: one per core), and when a process sheds
    # reads with a quick 503 (requests in flight; how late its event loop may run).
    workers: int = Field(default=0, ge=0, le=64)
    max_inflight: int = Field(default=64, ge=1)
    max_lag_ms: int = Field(default=500, ge=1)
    # Event days: reminders this many minutes before each meeting (an event's own setting
    # wins), and the video server of online meetings (a room is appended).
    reminder_minutes: int = Field(default=15, ge=1, le=24 * 60)
    video_base_url: str = "https://meet.jit.si"
    smtp: SMTPSettings = Field(default_factory=SMTPSettings)

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("default_locale must be 'vi' or 'en'")
        return value

    @field_validator("base_url", "video_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value:
            return value
        if not value.startswith(("http://", "https://")):
            raise ValueError("the address must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value:
            return value
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            backend = ""
        if backend not in ("sqlite", "postgresql"):
            raise ValueError("database_url must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("secret_key")
    @classmethod
    def _not_placeholder(cls, value: str) -> str:
        if value and (value.lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH):
            raise ValueError(
                f"secret_key is a placeholder or shorter than {MIN_SECRET_LENGTH} characters; "
                "unset it to have one generated under var/"
            )
        return value

    @model_validator(mode="after")
    def _secure_cookies_behind_https(self) -> Settings:
        """Served over https, cookies are Secure unless MATCHMAKER_SECURE_COOKIES says otherwise."""
        if "secure_cookies" not in self.model_fields_set and self.base_url.startswith("https://"):
            self.secure_cookies = True
        return self

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'matchmaker.db').resolve()}"

    def record_served_url(self, url: str) -> None:
        """Note the address `matchmaker serve` listens on, for commands that make
        links outside a request (`matchmaker send-mail`)."""
        private_dir(self.var_dir)
        (self.var_dir / SERVED_URL_FILE).write_text(f"{url}\n")

    def resolved_base_url(self) -> str:
        """The site's address for links made outside a request: MATCHMAKER_BASE_URL,
        else the address `matchmaker serve` last listened on, else DEFAULT_BASE_URL."""
        if self.base_url:
            return self.base_url
        path = self.var_dir / SERVED_URL_FILE
        recorded = path.read_text().strip() if path.exists() else ""
        if recorded.startswith(("http://", "https://")):
            return recorded.rstrip("/")
        return DEFAULT_BASE_URL

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept under var/."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            stored = path.read_text().strip()
            if len(stored) >= MIN_SECRET_LENGTH:
                return stored
        private_dir(self.var_dir)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
