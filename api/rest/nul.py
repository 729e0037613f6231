"""NUL characters (U+0000) in query or path parameters are refused before any route runs.

PostgreSQL cannot hold NUL in text: a NUL reaching a query fails inside the database as a
500. Checking each parameter type by type is easy to forget on a new route (schemathesis
found `/requirements?technique=%00` that way), so one router-wide check covers them all.
"""

from fastapi import Request

from api.errors import InvalidInputError, Problem
from api.http.nul import MESSAGE, contains_nul


async def refuse_nul_parameters(request: Request) -> None:
    problems = [
        Problem(MESSAGE, location="query", field=name, value=value)
        for name, value in request.query_params.multi_items()
        if contains_nul(name) or contains_nul(value)
    ]
    problems += [
        Problem(MESSAGE, location="path", field=name, value=value)
        for name, value in request.path_params.items()
        if contains_nul(value)
    ]
    if problems:
        raise InvalidInputError("parameters may not contain the NUL character", problems)
