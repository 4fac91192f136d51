"""Exceptions for tinyc's exit codes: the CLI's message, the same exit semantics."""
from __future__ import annotations

from typing import Optional


class TinycError(Exception):
    """tinyc exited with a non-zero code. `exit_code` is the CLI's, `message` its error line,
    `stderr` and `stdout` everything it printed."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: Optional[int] = None, stderr: str = "", stdout: str = ""):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code
        self.stderr = stderr
        self.stdout = stdout


class ModelError(TinycError):
    """Exit code 1: a bad model or bad data (a corrupt file, an unsupported op, wrong shapes, ...)."""

    exit_code = 1


class ValidationError(ModelError):
    """Exit code 1 from validate: the generated C is outside the tolerance. `result` holds the
    comparison (validate's JSON) when it was asked for."""

    result: Optional[dict] = None


class UsageError(TinycError):
    """Exit code 2: bad usage (an unknown option, a missing argument, options that exclude each other)."""

    exit_code = 2


class InternalError(TinycError):
    """Exit code 3: a tinyc bug ('tinyc: internal error: ...'); please report it."""

    exit_code = 3


def _message(stderr: str, code: int) -> str:
    lines = [ln.strip() for ln in stderr.replace("\r", "\n").splitlines() if ln.strip()]
    for ln in reversed(lines):  # the error line, not a warning or progress line before it
        if ln.startswith("tinyc: error") or ln.startswith("tinyc: internal error"):
            return ln
    return lines[-1] if lines else f"tinyc exited with code {code}"


def error_for(code: int, stderr: str, stdout: str = "") -> TinycError:
    cls = {1: ModelError, 2: UsageError, 3: InternalError}.get(code, TinycError)
    return cls(_message(stderr, code), exit_code=code, stderr=stderr, stdout=stdout)
