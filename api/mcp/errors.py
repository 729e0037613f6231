"""InferGraph errors as MCP protocol errors carrying the same problem details as REST."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from mcp.shared.exceptions import MCPError
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS

from api.errors import InferGraphError, InvalidInputError, Problem
from api.services.unstorable import refusals


def protocol_error(error: InferGraphError) -> MCPError:
    """The caller's fault (4xx over HTTP) is `invalid params`; anything else `internal error`.

    `data` is REST's `error` object plus the HTTP status, so an assistant reads the same
    `code`, `message` and `problems` (with field names) as a REST client."""
    code = INVALID_PARAMS if 400 <= error.status < 500 else INTERNAL_ERROR
    data = {**error.as_dict()["error"], "status": error.status}
    return MCPError(code, error.message, data)


@contextmanager
def as_protocol_errors() -> Iterator[None]:
    try:
        yield
    except InferGraphError as error:
        raise protocol_error(error) from error


def invalid_arguments(errors: Sequence[Any]) -> MCPError:
    """Pydantic's complaints about tool arguments, in the one error shape."""
    problems = [
        Problem(
            str(e.get("msg", "invalid value")),
            field=".".join(str(part) for part in e.get("loc", ())) or None,
            value=_shown(e.get("input")),
        )
        for e in errors
    ]
    return protocol_error(InvalidInputError("invalid arguments", problems))


def _shown(value: Any) -> Any:
    """Scalars as they came; anything bigger only by its type, never echoed whole."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:100]
    return type(value).__name__


def refuse_unstorable(arguments: dict[str, Any]) -> None:
    """Text that cannot be stored (NUL, lone surrogates) in any argument is refused before a
    tool runs, in the words REST and GraphQL use: PostgreSQL cannot hold it, and would fail
    inside the query instead (api/services/unstorable.py)."""
    problems = []
    for name, value in arguments.items():
        found = next(iter(refusals({name: value}, "")), None)
        if found is not None:
            problems.append(Problem(found[1], field=name, value=_shown(value)))
    if problems:
        raise protocol_error(
            InvalidInputError("arguments hold text that cannot be stored", problems)
        )
