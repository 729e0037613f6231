"""The one error type every layer raises, and the one JSON shape it renders to."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, which field, and what is wrong."""

    message: str
    location: str | None = None
    """`file:line` for files, or a request part such as `query.filter`."""
    field: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = self.location or "input"
        if self.field:
            where = f"{where}: {self.field}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        return text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message}
        if self.location is not None:
            data["location"] = self.location
        if self.field is not None:
            data["field"] = self.field
        if self.value is not None:
            data["value"] = _json_scalar(self.value)
        return data


def _json_scalar(value: Any) -> str | int | float:
    """A string or number, as the error schema promises: `true` is a bool to JSON, not an int
    as Python has it, so booleans are spelled out like everything else that is not a number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str | int | float) else repr(value)


@dataclass
class InferGraphError(Exception):
    """Base error: a stable machine code, an HTTP status, a message and the problems found."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    code: str = "error"
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    """HTTP headers the response must carry (`WWW-Authenticate`, `Retry-After`)."""

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *(f"  - {problem}" for problem in self.problems)]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "problems": [problem.as_dict() for problem in self.problems],
            }
        }


def retry_after(seconds: int) -> Any:
    """The `headers` default of an error that asks the client to come back in `seconds`."""
    return field(default_factory=lambda: {"Retry-After": str(seconds)})


@dataclass
class InvalidInputError(InferGraphError):
    """The input (a file, a request) is malformed; nothing was written."""

    code: str = "invalid_input"
    status: int = 400


@dataclass
class NotFoundError(InferGraphError):
    code: str = "not_found"
    status: int = 404


@dataclass
class ConflictError(InferGraphError):
    """The request names a state the data is no longer (or not yet) in, such as a held change
    of a plan that has moved on; asking again after reading the current state can succeed."""

    code: str = "conflict"
    status: int = 409


@dataclass
class MovedError(InferGraphError):
    """What was asked for was merged into another entity, which answers for it now (REST: a
    301 to it)."""

    code: str = "moved"
    status: int = 301
    old_key: str = ""
    new_key: str = ""
