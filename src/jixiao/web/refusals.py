"""Why the web application refuses a request: one hierarchy, each class with its HTTP status, so
that the API has one handler and the command line one `except`. `message` is Chinese and says
why and what to do; `errors` maps a field to its message where the input was at fault."""

from __future__ import annotations

from typing import ClassVar


class ActionError(Exception):
    """A write (or a read through an action) was refused."""

    status: ClassVar[int] = 400

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Invalid(ActionError):
    """Input did not validate (HTTP 400); `errors` maps field → message."""

    status = 400


class Denied(ActionError):
    """The actor may not do this (HTTP 403)."""

    status = 403


class NotFound(ActionError):
    """No such object, or not visible to the actor (HTTP 404)."""

    status = 404


class Conflict(ActionError):
    """Someone else saved first, or the state does not allow it (HTTP 409): nothing was written."""

    status = 409


class TooBusy(ActionError):
    """The actor has as much waiting or running as one user may (HTTP 429): nothing was started."""

    status = 429
