"""Text no database can store (NUL, lone surrogates) in query or path parameters or in a JSON
body is refused before any route runs.

PostgreSQL cannot hold NUL in text: a NUL reaching a query fails inside the database as a
500. Checking each parameter type by type is easy to forget on a new route (schemathesis
found `/requirements?technique=%00` that way), so one router-wide check covers them all.
JSON bodies are read here once more (FastAPI has read and cached them already): JSON spells
`"\\u0000"` and `"\\ud800"`, which pydantic's `str` accepts.
"""

import itertools
import json

from fastapi import Request

from api.errors import InvalidInputError, Problem
from api.services.unstorable import MESSAGE, refusals, text_refusal

_MAX_PROBLEMS = 20
"""Problems named at most: enough to fix a request, bounded for a hostile one."""


async def refuse_unstorable_input(request: Request) -> None:
    problems = [
        Problem(message, "query", _shown(name), _shown(value))
        for name, value in request.query_params.multi_items()
        if (message := text_refusal(name) or text_refusal(value)) is not None
    ]
    problems += [
        Problem(message, "path", name, _shown(value))
        for name, value in request.path_params.items()
        if (message := text_refusal(value)) is not None
    ]
    problems += await _body_problems(request)
    if problems:
        raise InvalidInputError(
            "text that cannot be stored (NUL, unpaired surrogates)", problems[:_MAX_PROBLEMS]
        )


def _shown(text: str) -> str | None:
    # A NUL can be echoed in JSON; a lone surrogate cannot be encoded into the answer at all.
    return text if text_refusal(text) in (None, MESSAGE) else None


async def _body_problems(request: Request) -> list[Problem]:
    if "json" not in request.headers.get("content-type", ""):
        return []
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError):
        return []  # not JSON: FastAPI's own validation reports it
    return [
        Problem(message, location="body", field=where or None)
        for where, message in itertools.islice(refusals(body, ""), _MAX_PROBLEMS)
    ]
