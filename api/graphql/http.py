"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/), implemented directly.

Status codes follow the spec for both response media types:

| situation | application/json | application/graphql-response+json |
| --- | --- | --- |
| executed (with or without field errors) | 200 | 200 |
| document does not parse / validate, variables do not coerce | 200 | 400, no `data` |
| malformed request (bad JSON body, `query` not a string, …) | 400 | 400 |
| unsupported request media type | 415 | 415 |
| no acceptable response media type | 406 | 406 |
| mutation over GET | 405 | 405 |
| request or document larger than the limit | 413 | 413 |
| the database cannot be reached (with `Retry-After`) | 503 | 503 |
| cost over the budget (`extensions.code` `query_too_costly`) | 200 | 400, no `data` |
| response larger than the cap (`response_too_large`) | 200 | 200, `data` null |

Every executed or costed answer reports `extensions.cost`: the objects the query may return
by its static cost, and the budget.
"""

import asyncio
import itertools
import json
import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    get_variable_values,
    parse,
    specified_rules,
    validate,
)
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.errors import InferGraphError, InvalidInputError, NotFoundError, Problem
from api.graphql.as_of import operation_as_of
from api.graphql.batch import Batch
from api.graphql.context import GraphContext
from api.graphql.cost import cost_variables
from api.graphql.executor import PlannedExecutor, uses_introspection
from api.graphql.limits import Limits, check_cost, check_limits
from api.graphql.nul import NoNulInStrings
from api.graphql.strawberry_bridge import ide_html
from api.http.cacheable import mark_cacheable
from api.http.cancel import StatementCanceller, until_disconnected
from api.http.database_errors import DatabaseUnavailableError, database_unavailable
from api.services.history import session_as_of
from api.services.unstorable import refusals

logger = logging.getLogger("infergraph.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_REQUEST_BYTES_FACTOR = 10
"""A request body may be this many times the document limit (variables travel with it)."""


class RequestError(Exception):
    """The HTTP request itself is unusable; answered with `status` whatever the media type."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True)
class GraphQLParams:
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None


@dataclass(frozen=True)
class Prepared:
    """A parsed and validated document, shared by every request with the same text."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    introspection: bool = False
    cost_variables: frozenset[str] = frozenset()
    """Variables the cost depends on; with none, a document's cost is computed once."""


class GraphQLEndpoint:
    def __init__(
        self,
        schema: GraphQLSchema,
        engine: sa.Engine,
        limits: Limits,
        planned: PlannedExecutor | None = None,
        authorize: Callable[[Request], None] | None = None,
        ide_page: str | None = None,
    ) -> None:
        self.schema = schema
        self.ide_page = ide_page
        """The HTML a browser's GET is answered with (GraphiQL); strawberry's page, which
        loads its scripts from a CDN, when not given."""
        self.authorize = authorize
        """Raises InferGraphError (401/403) when the request may not read."""
        self.planned = planned
        self.engine = engine
        self.limits = limits
        self._prepare: Callable[[str], Prepared] = lru_cache(maxsize=512)(self._prepare_uncached)
        self._cost: Callable[..., tuple[int, GraphQLError | None]] = lru_cache(maxsize=512)(
            self._cost_uncached
        )

    async def handle(self, request: Request) -> Response:
        try:
            media_type = negotiate(request.headers.get("accept"))
            if media_type is None:
                if request.method == "GET" and _wants_html(request):
                    return HTMLResponse(self.ide_page or ide_html())
                raise RequestError(
                    406,
                    (
                        f"cannot answer with any media type in Accept; use "
                        f"{GRAPHQL_RESPONSE} or {JSON}"
                    ),
                )
            if (
                request.method == "GET"
                and "query" not in request.query_params
                and _wants_html(request)
            ):
                return HTMLResponse(self.ide_page or ide_html())
            if self.authorize is not None:
                await run_in_threadpool(self.authorize, request)
            params = await self._params(request)
        except InferGraphError as error:
            return _respond({"errors": [_request_error(error)]}, error.status, JSON, error.headers)
        except RequestError as error:
            return _respond(
                {"errors": [{"message": str(error)}]}, error.status, JSON, error.headers
            )
        try:
            status, body = await self._run_while_connected(request, params, media_type)
        except DatabaseUnavailableError as error:
            body = {"errors": [_request_error(error)]}
            return _respond(body, error.status, media_type, error.headers)
        # Encoding a large answer takes a core for a while: on the event loop it would stall
        # every other request (`/health` too), so it runs beside the resolvers.
        content = await run_in_threadpool(encode, body)
        if len(content) > self.limits.max_response_bytes:
            content = encode(_too_large(body, len(content), self.limits.max_response_bytes))
        elif status == 200 and "errors" not in body and self._is_query(params):
            mark_cacheable(request.scope)
        return _encoded_response(content, status, media_type)

    async def _run_while_connected(
        self, request: Request, params: GraphQLParams, media_type: str
    ) -> tuple[int, dict[str, Any]]:
        """`run` in a worker thread; its statement is cancelled if the client leaves first."""
        canceller = StatementCanceller()
        work = asyncio.ensure_future(
            run_in_threadpool(self.run, params, request.method, media_type, canceller)
        )
        gone = asyncio.ensure_future(until_disconnected(request))
        await asyncio.wait((work, gone), return_when=asyncio.FIRST_COMPLETED)
        if not work.done():
            canceller.cancel()
        gone.cancel()
        return await work

    def _is_query(self, params: GraphQLParams) -> bool:
        """Only queries may be answered from the response cache (parsing is cached too)."""
        prepared = self._prepare(params.query)
        if prepared.document is None:
            return False
        operation = _operation(prepared.document, params.operation_name)
        return operation is not None and operation.operation == OperationType.QUERY

    async def _params(self, request: Request) -> GraphQLParams:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
            for name in ("variables", "extensions"):
                if raw.get(name):
                    raw[name] = _json(raw[name], f"the {name} parameter is not valid JSON")
        else:
            _check_content_type(request.headers.get("content-type"))
            body = await _read_body(
                request, self.limits.max_document_bytes * MAX_REQUEST_BYTES_FACTOR
            )
            if not body:
                raise RequestError(400, "a POST request needs a JSON body")
            raw = _json(body, "the request body is not valid JSON")
            if not isinstance(raw, dict):
                raise RequestError(400, "the request body must be a JSON object")
        return _validated_params(raw, self.limits)

    def run_read(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> dict[str, Any]:
        """Run one request as a GET to this endpoint runs it (queries only, every limit), for
        in-process callers such as the MCP server; a refused request is an InvalidInputError."""
        raw = {"query": query, "variables": variables, "operationName": operation_name}
        try:
            params = _validated_params(raw, self.limits)
        except RequestError as error:
            raise InvalidInputError(str(error), [Problem(str(error), field="query")]) from error
        return self.run(params, "GET", JSON)[1]

    def run(
        self,
        params: GraphQLParams,
        method: str,
        media_type: str,
        canceller: StatementCanceller | None = None,
    ) -> tuple[int, dict[str, Any]]:
        prepared = self._prepare(params.query)
        request_failed = 400 if media_type == GRAPHQL_RESPONSE else 200
        if prepared.document is None or prepared.errors:
            return request_failed, {"errors": [format_error(e) for e in prepared.errors]}
        if (unstorable := _unstorable_variables(params.variables)) is not None:
            return request_failed, {"errors": [_request_error(unstorable)]}
        operation = _operation(prepared.document, params.operation_name)
        if method == "GET" and operation is not None and operation.operation != OperationType.QUERY:
            return 405, {"errors": [{"message": "only queries can be sent with GET; use POST"}]}
        cost: dict[str, Any] = {}
        if operation is not None:
            objects, refused = self._cost(
                params.query,
                params.operation_name,
                _cost_key(prepared.cost_variables, params.variables or {}),
            )
            cost = {"cost": {"objects": objects, "limit": self.limits.max_cost}}
            if refused is not None:
                return request_failed, {"errors": [format_error(refused)], "extensions": cost}
        try:
            as_of = (
                None
                if operation is None
                else operation_as_of(prepared.document, operation, params.variables)
            )
            with session_as_of(self.engine, as_of) as session, _watched(session, canceller):
                context = GraphContext(
                    session, Batch(session), self.limits.max_page_size, self.limits.max_list_values
                )
                result = self._execute(prepared, operation, params, context)
        except (InvalidInputError, NotFoundError) as error:
            # Only the asOf of the request raises here (malformed, two of them, or naming no
            # version): resolvers' errors are field errors.
            return request_failed, {"errors": [_request_error(error)], "extensions": cost}
        except sa.exc.SQLAlchemyError as error:
            unavailable = database_unavailable(error)
            if unavailable is None:
                raise
            raise unavailable from error
        # Resolvers turn exceptions into field errors; an unreachable database is not a
        # partial result but a failed request (503), so it is lifted out of them.
        for field_error in result.errors or ():
            if (unavailable := database_unavailable(field_error)) is not None:
                raise unavailable
        return _result_status(result, request_failed), {**_result_body(result), "extensions": cost}

    def _cost_uncached(
        self, query: str, operation_name: str | None, key: tuple[tuple[str, Any], ...]
    ) -> tuple[int, GraphQLError | None]:
        prepared = self._prepare(query)
        assert prepared.document is not None
        operation = _operation(prepared.document, operation_name)
        assert operation is not None
        variables = {
            name: [None] * value[1] if isinstance(value, tuple) else value for name, value in key
        }
        return check_cost(self.schema, prepared.document, operation, variables, self.limits)

    def _execute(
        self,
        prepared: Prepared,
        operation: OperationDefinitionNode | None,
        params: GraphQLParams,
        context: GraphContext,
    ) -> ExecutionResult:
        assert prepared.document is not None
        if operation is None or prepared.introspection or self.planned is None:
            # graphql-core reports unknown operations and runs introspection.
            return execute_sync(
                self.schema,
                prepared.document,
                context_value=context,
                variable_values=params.variables,
                operation_name=params.operation_name,
            )
        variables = get_variable_values(
            self.schema, operation.variable_definitions or (), params.variables or {}
        )
        if isinstance(variables, list):
            return ExecutionResult(None, variables)
        data, errors = self.planned.execute(
            prepared.document,
            operation,
            variables,
            context,
            (params.query, params.operation_name),
        )
        return ExecutionResult(data, errors or None)

    def _prepare_uncached(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError as error:
            return Prepared(None, (error,))
        errors = validate(self.schema, document, [*specified_rules, NoNulInStrings])
        if not errors:
            errors = check_limits(document, self.limits)
        return Prepared(
            document, tuple(errors), uses_introspection(document), cost_variables(document)
        )


def _watched(session: Session, canceller: StatementCanceller | None) -> Any:
    return nullcontext() if canceller is None else canceller.watching(session)


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when neither is acceptable.

    No header, or only wildcards, gets application/json (what legacy clients expect);
    application/graphql-response+json wins when the client names it at least as high.
    """
    if not accept or not accept.strip():
        return JSON
    quality = {GRAPHQL_RESPONSE: -1.0, JSON: -1.0}
    explicit: set[str] = set()
    for part in accept.split(","):
        media, _, rest = part.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for param in rest.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        for candidate in quality:
            if media == candidate:
                explicit.add(candidate)
                quality[candidate] = max(quality[candidate], q) if q > 0 else 0.0
            elif media in ("*/*", "application/*") and candidate not in explicit:
                quality[candidate] = max(quality[candidate], q)
    best = max(quality.values())
    if best <= 0:
        return None
    if quality[GRAPHQL_RESPONSE] == best and GRAPHQL_RESPONSE in explicit:
        return GRAPHQL_RESPONSE
    return JSON if quality[JSON] == best else GRAPHQL_RESPONSE


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _check_content_type(value: str | None) -> None:
    if not value:
        raise RequestError(415, f"a POST request needs Content-Type: {JSON}")
    media, _, rest = value.partition(";")
    if media.strip().lower() != JSON:
        raise RequestError(415, f"unsupported Content-Type {media.strip()!r}; use {JSON}")
    for param in rest.split(";"):
        key, _, charset = param.strip().partition("=")
        if key.strip().lower() == "charset" and charset.strip().strip('"').lower() != "utf-8":
            raise RequestError(415, "only the utf-8 charset is accepted")


async def _read_body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"request body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(raw: str | bytes, message: str) -> Any:
    try:
        return json.loads(raw)
    # RecursionError: `[[[[…` nested past the parser's stack, well within the size limit.
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise RequestError(400, f"{message}: {error}") from error


def _validated_params(raw: dict[str, Any], limits: Limits) -> GraphQLParams:
    query = raw.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, "the query parameter must be a non-empty string")
    if len(query.encode()) > limits.max_document_bytes:
        raise RequestError(413, f"the document is larger than {limits.max_document_bytes} bytes")
    operation_name = raw.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "the operationName parameter must be a string")
    variables = raw.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "the variables parameter must be a JSON object")
    extensions = raw.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "the extensions parameter must be a JSON object")
    return GraphQLParams(query, operation_name or None, variables)


def _unstorable_variables(variables: dict[str, Any] | None) -> InvalidInputError | None:
    problems = [
        Problem(message, location="variables", field=where)
        for where, message in itertools.islice(refusals(variables, ""), 20)
    ]
    if not problems:
        return None
    return InvalidInputError("variables hold text that cannot be stored", problems)


def _request_error(error: InferGraphError) -> dict[str, Any]:
    return {"message": error.message, "extensions": error.as_dict()["error"]}


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _executed(result: ExecutionResult) -> bool:
    """Errors without a path arose before execution (unknown operation, variables that do
    not coerce): the request failed. With a path they are field errors of an executed one."""
    return not (
        result.data is None and result.errors and all(e.path is None for e in result.errors)
    )


def _result_status(result: ExecutionResult, request_failed: int) -> int:
    return 200 if _executed(result) else request_failed


def _result_body(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(e) for e in result.errors]
    if _executed(result):
        body["data"] = result.data
    return body


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The error as the response shows it. graphql-core's own errors (variables that do not
    coerce carry the coercion's GraphQLError as their original) keep their message, written
    for the caller; anything else unexpected is only "internal error"."""
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    if isinstance(original, InferGraphError):
        formatted["message"] = original.message
        formatted["extensions"] = {
            **original.as_dict()["error"],
            "classification": _classification(original.status),
        }
    elif original is not None and not isinstance(original, GraphQLError):
        logger.error("GraphQL resolver failed", exc_info=original)
        # Never leak internals of unexpected failures to clients.
        formatted["message"] = "internal error"
        formatted["extensions"] = {"code": "internal_error", "classification": "INTERNAL_ERROR"}
    return formatted


def _classification(status: int) -> str:
    """Whose fault a field error is, in the words generic GraphQL tooling reads (Spring for
    GraphQL's `ErrorType`); `code` stays our own, the same as REST's."""
    if status == 401:
        return "UNAUTHORIZED"
    if status == 403:
        return "FORBIDDEN"
    # An unknown slug or id in an argument is the caller's bad input, as is a bad cursor.
    return "BAD_REQUEST" if 400 <= status < 500 else "INTERNAL_ERROR"


def _cost_key(names: frozenset[str], variables: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The variable values the cost depends on, as a small cache key: a list by its length
    (`("list", n)`), so a long `ids` list is neither hashed nor kept."""
    return tuple(
        (name, ("list", len(value)) if isinstance(value, list) else _hashable(value))
        for name in sorted(names)
        if (value := variables.get(name)) is not None
    )


def _hashable(value: Any) -> Any:
    return value if isinstance(value, int | str | float | bool) else repr(value)


def _too_large(body: dict[str, Any], size: int, limit: int) -> dict[str, Any]:
    message = (
        f"the response would be {size} bytes; the limit is {limit}. "
        "Ask for smaller pages (`first`) or fewer fields, and page through the rest."
    )
    error = {
        "message": message,
        "extensions": {"code": "response_too_large", "size": size, "limit": limit},
    }
    return {
        "errors": [error],
        "data": None,
        **({"extensions": body["extensions"]} if "extensions" in body else {}),
    }


def _respond(
    body: dict[str, Any], status: int, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    return _encoded_response(encode(body), status, media_type, headers)


def _encoded_response(
    content: bytes, status: int, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(content, status, headers=headers, media_type=f"{media_type}; charset=utf-8")


def encode(body: dict[str, Any]) -> bytes:
    """UTF-8 JSON, compact; orjson is several times faster than the standard library here."""
    return orjson.dumps(body)
