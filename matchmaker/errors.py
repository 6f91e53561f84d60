"""Domain errors: services raise these; the web layer turns them into 4xx answers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action. `message` is an untranslated
    English msgid (translated where it is shown); `field` names the form field."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class RateLimited(DomainError):
    status_code = 429
