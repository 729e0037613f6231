"""Keyset pagination with opaque cursors, shared by every list in REST and GraphQL.

A cursor encodes the sort key of the last row seen, so a deep page costs the same as the
first one (no OFFSET scan).
"""

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from api.errors import InvalidInputError, Problem
from api.services.count_cache import count_rows

T = TypeVar("T")
K = TypeVar("K")

DEFAULT_PAGE_SIZE = 50
BATCH_SIZE = 500
"""Page size of internal walks over a whole list (exports, nested lists)."""


@dataclass(frozen=True)
class PageRequest:
    """A page of a list. Interfaces build it from what the caller asked for and check its size
    against `Settings.max_page_size` (`page_request`); services trust it."""

    first: int = DEFAULT_PAGE_SIZE
    after: str | None = None


def page_request(first: int | None, after: str | None, max_size: int, field: str) -> PageRequest:
    """The caller's page, refused when its size is outside 0 … `max_size` (the setting)."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    return PageRequest(first=check_page_size(size, max_size, field, minimum=0), after=after)


def check_page_size(size: int, max_size: int, field: str, minimum: int = 1) -> int:
    if not minimum <= size <= max_size:
        raise InvalidInputError(
            "page size out of range",
            [Problem(f"must be between {minimum} and {max_size}", field=field, value=size)],
        )
    return size


def per_page_from_text(raw: str | None, maximum: int) -> int:
    """A `per_page` query value as REST and the pages read it: ASCII digits from 1 to
    `maximum` (the setting), 50 (or `maximum`) when absent."""
    if raw is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    # str.isdigit also accepts "²" and other digits int() refuses; six digits bound int()
    # below its 4,300-digit limit.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= maximum:
        raise InvalidInputError(
            "per_page out of range",
            [Problem(f"a whole number from 1 to {maximum}", field="per_page", value=raw[:50])],
        )
    return int(raw)


FIRST_PAGE = PageRequest()


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursor_at: Callable[[int], str]
    """Cursor of the item at an index of `items`; computed only when asked for."""
    has_next: bool
    has_previous: bool
    count: Callable[[], int]
    """Total rows matching the query, computed only when asked for."""
    matching: "sa.Select[Any] | Sequence[T]" = ()
    """Every row of the list, not only this page: the filtered statement of a keyset list,
    the items of a list held in memory (for counts by group, `api/services/groups.py`)."""

    @property
    def cursors(self) -> list[str]:
        return [self.cursor_at(index) for index in range(len(self.items))]

    @property
    def end_cursor(self) -> str | None:
        return self.cursor_at(len(self.items) - 1) if self.items else None

    @property
    def start_cursor(self) -> str | None:
        return self.cursor_at(0) if self.items else None


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term; `None` values sort last in both directions on both dialects."""

    column: Any
    """A column or SQL expression (typed loosely: SQLModel attributes are `Mapped`)."""
    descending: bool = False

    @property
    def nullable(self) -> bool:
        """False only for a NOT NULL column; expressions may always be NULL."""
        expression = getattr(self.column, "expression", self.column)
        return getattr(expression, "nullable", True) is not False


def list_tag(keys: Sequence[SortKey]) -> str:
    """A short name of a list's order (its key expressions and directions), written into its
    cursors so a cursor of another list (papers by title on engines by name: both a string and
    an id) is refused instead of seeking to a meaningless place."""
    spelled = "|".join(f"{key.column}{' desc' if key.descending else ''}" for key in keys)
    return hashlib.sha256(spelled.encode()).hexdigest()[:12]


OFFSET_TAG = "offset"
"""The tag of cursors into lists paginated in memory (`slice_page`)."""

# The cursor grammar. A cursor is its order's tag and the sort values of the last row seen,
# `~`-separated, each value spelled by its kind. The grammar is total: every text it admits
# for a list decodes to a valid position in that list (a string value may be any bytes, read
# as UTF-8 with U+FFFD for what is not), so a document giving a list's cursor this pattern
# promises nothing the server refuses (`cursor_pattern`).
SEPARATOR = "~"
_VALUE_GRAMMAR = {
    # Nine digits: within INTEGER, the type of every whole-number sort key (PostgreSQL
    # refuses to compare an INTEGER column with a value beyond it).
    int: "i-?[0-9]{1,9}",
    # Decimal digits with an exponent of three digits at most: never NaN; a value past the
    # largest double reads as infinity, which both databases compare like any number.
    float: r"f-?[0-9]{1,17}(?:\.[0-9]{1,17})?(?:e-?[0-9]{1,3})?",
    # Unpadded base64url; a length of 4n+1 is no base64.
    str: "s(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?",
}
_GRAMMAR = {kind: re.compile(pattern) for kind, pattern in _VALUE_GRAMMAR.items()}
_NULL = "n"
OFFSET_GRAMMAR = OFFSET_TAG + SEPARATOR + "[0-9]{1,5}"
"""Offsets a REST list ranked in memory can issue (its hits are capped at 10,000)."""


def encode_cursor(tag: str, values: Sequence[Any]) -> str:
    return SEPARATOR.join([tag, *(_encode_value(value) for value in values)])


def _encode_value(value: Any) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"no cursor spelling for {value!r}")
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return "f" + repr(value).replace("e+", "e")
    return "s" + base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def cursor_pattern(orders: Iterable[Sequence[SortKey]], offset: bool = False) -> str:
    """The JSON Schema pattern of the cursors of a list that pages by any of `orders` (and,
    with `offset`, ranks some pages in memory): exactly the texts `decode_cursor` accepts."""
    alternatives = [
        SEPARATOR.join([list_tag(keys), *(_value_pattern(*kind) for kind in _kinds(keys))])
        for keys in orders
    ]
    if offset:
        alternatives.append(OFFSET_GRAMMAR)
    return "^(?:" + "|".join(alternatives) + ")$"


def _value_pattern(kind: type, nullable: bool) -> str:
    grammar = _VALUE_GRAMMAR[kind]
    return f"(?:{grammar}|{_NULL})" if nullable else grammar


def cursor_tag(cursor: str | None) -> str | None:
    """The order a cursor names (None without one): the cursor, not `sort`, decides how the
    list goes on, so every cursor the list's grammar admits is read in its own order."""
    return None if cursor is None else cursor.split(SEPARATOR, 1)[0]


def decode_cursor(
    cursor: str, tag: str, kinds: Sequence[tuple[type, bool]], field: str = "after"
) -> list[Any]:
    """The values of a cursor `encode_cursor(tag, …)` wrote, one per `(python type, nullable)`
    of `kinds`. Anything else (not of the grammar, another list's) is refused as
    `invalid_input` naming `field`."""
    parts = cursor.split(SEPARATOR)
    if parts[0] != tag or len(parts) != len(kinds) + 1:
        raise _refused(cursor, field)
    values: list[Any] = []
    for part, (kind, nullable) in zip(parts[1:], kinds, strict=True):
        if part == _NULL and nullable:
            values.append(None)
        elif _GRAMMAR[kind].fullmatch(part):
            values.append(_decode_value(kind, part[1:]))
        else:
            raise _refused(cursor, field)
    return values


def _decode_value(kind: type, text: str) -> Any:
    if kind is int:
        return int(text)
    if kind is float:
        return float(text)
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Forged bytes still name a place in the order: not UTF-8, or NUL (which no database
    # keeps in text), they read as U+FFFD.
    return raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


def _refused(cursor: str, field: str) -> InvalidInputError:
    return InvalidInputError(
        "invalid cursor",
        [Problem("not a cursor this list produced", field=field, value=cursor[:100])],
    )


def _kinds(keys: Sequence[SortKey]) -> list[tuple[type, bool]]:
    kinds: list[tuple[type, bool]] = []
    for key in keys:
        column_type = key.column.type
        if isinstance(column_type, sa.types.NullType) and hasattr(key.column, "clauses"):
            # Functions SQLAlchemy does not know (`lower`) are untyped; they keep their
            # argument's type.
            column_type = next(iter(key.column.clauses)).type
        kinds.append((_python_type(column_type), key.nullable))
    return kinds


def _python_type(column_type: sa.types.TypeEngine[Any]) -> type:
    # By SQL type, not `python_type`: SQLModel's AutoString (a decorated String) has none.
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.Integer):
        return int
    if isinstance(column_type, sa.Float | sa.Numeric):
        return float
    if isinstance(column_type, sa.String):
        return str
    # Dates and the like would need parsing back from their JSON text; no list sorts by one
    # yet, and failing here, in every test of the list, beats a silently wrong page.
    raise TypeError(f"no cursor for a sort key of type {column_type}")


def keyset_page(
    session: Session,
    statement: sa.Select[Any],
    keys: Sequence[SortKey],
    request: PageRequest,
    key_of: Callable[[Any], Sequence[Any]],
    counted: sa.Select[Any] | None = None,
    counted_by: sa.Select[Any] | None = None,
    columns: Sequence[str] | None = None,
) -> Page[Any]:
    """Run `statement` (which selects one entity) ordered by `keys`, after the cursor.

    The last key must be unique (the primary key) so the order is total. `counted`, when
    given, selects the same rows phrased for reading them all (for the count and for
    `Page.matching`); `counted_by`, when given, selects as many rows as `counted` from
    tables that are cheaper to read, and is what gets counted. `columns`, when given, are
    the only ones the page's rows carry (the keys' among them).
    """
    counted = (statement if counted is None else counted).order_by(None)

    def count() -> int:
        return count_rows(session, counted if counted_by is None else counted_by)

    terms = _order_terms(keys)
    tag = list_tag(keys)
    page = statement.order_by(*terms).limit(request.first + 1)
    if request.after is not None and cursor_tag(request.after) == OFFSET_TAG:
        # A list that ranks some pages in memory (a text query) documents offset cursors for
        # all its pages; read in this order, one is a bounded OFFSET.
        page = page.offset(_offset(request.after, KEYSET_MAX_OFFSET) + 1)
    elif request.after is not None:
        values = decode_cursor(request.after, tag, _kinds(keys))
        # The seek past the cursor is an OR of ranges, which the databases check entry by
        # entry along the order's index. Checked on the key columns alone (the index holds
        # them), only the page's rows are then read whole: 150 pages deep into 100,000
        # papers, 7,500 skipped entries cost PostgreSQL 8 ms read as whole rows, 2.4 ms so.
        identity = keys[-1].column
        page_ids = (
            statement.with_only_columns(identity)
            .where(_after(keys, values))
            .order_by(*terms)
            .limit(request.first + 1)
        )
        page = statement.where(identity.in_(page_ids)).order_by(*terms)
    rows = list(session.execute(_as_rows(page, columns)))
    has_next = len(rows) > request.first
    rows = rows[: request.first]
    return Page(
        rows,
        lambda index: encode_cursor(tag, key_of(rows[index])),
        has_next,
        request.after is not None,
        count,
        counted,
    )


def _as_rows(statement: sa.Select[Any], columns: Sequence[str] | None = None) -> sa.Select[Any]:
    """The entity `statement` selects, as plain rows of its table's columns (or of `columns`).
    Pages are read, never changed, and every reader takes attributes by name, which a row
    offers as well; building ORM objects (identity map, instance state) was most of a
    100-row page's cost (1.2 ms against 0.2 ms on SQLite)."""
    [description] = statement.column_descriptions
    table = description["entity"].__table__
    chosen = table.c if columns is None else [table.c[name] for name in columns]
    return statement.with_only_columns(*chosen, maintain_column_froms=True)


def _order_terms(keys: Sequence[SortKey]) -> list[sa.ColumnElement[Any]]:
    terms: list[sa.ColumnElement[Any]] = []
    for key in keys:
        # NULLs last, portably. Only for nullable keys: a constant `IS NULL` term on a NOT NULL
        # column would stop the database from reading the order straight from an index.
        if key.nullable:
            terms.append(key.column.is_(None))
        terms.append(key.column.desc() if key.descending else key.column.asc())
    return terms


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """Rows strictly after `values` in the order of `keys`, NULLs sorting last."""
    clauses: list[sa.ColumnElement[bool]] = []
    for index, key in enumerate(keys):
        equal_before = [_equals(k.column, v) for k, v in zip(keys[:index], values, strict=False)]
        value = values[index]
        if value is None:
            # Past a NULL only other NULLs (ordered by the following keys) remain.
            continue
        beyond = key.column < value if key.descending else key.column > value
        if key.nullable:
            beyond = sa.or_(beyond, key.column.is_(None))
        clauses.append(sa.and_(*equal_before, beyond))
    return sa.or_(*clauses) if clauses else sa.false()


def _equals(column: sa.ColumnElement[Any], value: Any) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


KEYSET_MAX_OFFSET = 99_999
"""The largest offset a keyset list reads (what `OFFSET_GRAMMAR` admits)."""
_OFFSET = re.compile(f"{OFFSET_TAG}{SEPARATOR}([0-9]{{1,18}})")


def _offset(cursor: str, maximum: int | None = None) -> int:
    found = _OFFSET.fullmatch(cursor)
    if found is None or (maximum is not None and int(found[1]) > maximum):
        raise _refused(cursor, "after")
    return int(found[1])


def ranked_in_memory(request: PageRequest) -> bool:
    """Whether a list that can rank its rows in memory (by relevance to a text query) does so
    for this page: unless its cursor names one of the list's keyset orders, which then decides."""
    return cursor_tag(request.after) in (None, OFFSET_TAG)


def slice_page(items: Sequence[T], request: PageRequest) -> Page[T]:
    """Pagination of a list already in memory (nested lists loaded in one batch)."""
    start = 0 if request.after is None else _offset(request.after) + 1
    chosen = list(items[start : start + request.first])
    total = len(items)
    return Page(
        chosen,
        lambda offset: f"{OFFSET_TAG}{SEPARATOR}{start + offset}",
        start + len(chosen) < total,
        start > 0,
        lambda: total,
        items,
    )


def order_named(request: PageRequest, orders: Mapping[K, Sequence[SortKey]], asked: K) -> K:
    """The order a page is read in: the one its cursor names (each of a list's orders writes
    its own tag), else the one `asked`. A cursor valid for the list is thus read as issued,
    whatever `sort` says."""
    tag = cursor_tag(request.after)
    return next((order for order, keys in orders.items() if list_tag(keys) == tag), asked)


def table_keys(model: type[Any], order: str) -> list[SortKey]:
    """The keys of `table_page(…, model, order, …)`: `order`, then id."""
    return [SortKey(getattr(model, order)), SortKey(model.id)]


def table_page(
    session: Session,
    model: type[Any],
    order: str,
    request: PageRequest,
    *where: Any,
) -> Page[Any]:
    """A keyset-paginated list of `model` ordered by its column `order`, then id."""
    keys = table_keys(model, order)
    statement = sa.select(model).where(*where)
    return keyset_page(session, statement, keys, request, lambda r: [getattr(r, order), r.id])


def all_items(fetch: Callable[[PageRequest], Page[T]], page_size: int = BATCH_SIZE) -> Any:
    """Every item of a keyset-paginated list, page by page (for streaming exports)."""
    after: str | None = None
    while True:
        page = fetch(PageRequest(first=page_size, after=after))
        yield from page.items
        if not page.has_next:
            return
        after = page.end_cursor
