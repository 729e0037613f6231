"""DDL of `category_paper`: which papers each technique category's techniques cite, kept on write.

A category filter of the paper list ("cited by a technique of this category or below")
matches tens of thousands of papers on a large graph, and counting them through
`technique_citation` joined to `technique` meant reading every citation of the category
again after any write to citations. `category_paper` holds one row per (category, paper)
pair that some citation makes, with the number of citations behind it, so the papers of a
category are an index range and a write changes only the rows it concerns.

Membership is per the technique's own category, not its ancestors: a category filter reads
the rows of every category in its subtree (papers in two of them counted once). Moving a
category in the tree then changes no row, and the triggers need no tree walk (SQLite allows
no recursive query inside a trigger).

The database keeps the table itself, whoever writes (ORM sessions, the bulk ingest, merges
and their undo, survey sync, restore, psql):

* a citation inserted adds one to its (category, paper) row, creating it; deleted, takes
  one away, dropping the row at zero; re-pointed (a merge moves citations to the survivor,
  an undo moves them back), both;
* a technique moved to another category moves its citations' counts with it;
* a technique deleted has its citations deleted first (the foreign key would cascade them
  anyway), so their triggers still find the technique's category.

The table is derived: it is neither dumped nor hashed (`api/services/exports`), nor kept in
the history (`api/history_schema.py`); a restore rebuilds it as the citations arrive. The
bulk ingest's trigger swap (`api/services/ingest/version_bump.py`) sets aside only the
data-version triggers, never these. Its writes bump the data version like any content
table's, so counts cached over it (`api/services/count_cache.py`) follow it.
"""

MEMBERSHIP_OBJECT_PREFIX = "category_paper"
"""Every trigger and function here is named with this prefix."""
MEMBERSHIP_TABLE = "category_paper"
DERIVED_TABLES = frozenset({MEMBERSHIP_TABLE})
"""Tables the database computes from others: not dumped, not hashed, not versioned."""

BACKFILL = (
    "INSERT INTO category_paper (category_id, paper_id, citations)"
    " SELECT t.category_id, c.paper_id, count(*) FROM technique_citation c"
    " JOIN technique t ON t.id = c.technique_id GROUP BY t.category_id, c.paper_id"
)
"""Every row from scratch, for the migration (the table must be empty)."""

_ADD = (
    "INSERT INTO category_paper (category_id, paper_id, citations)"
    " SELECT t.category_id, {paper}, {n} FROM technique t WHERE t.id = {technique}"
    " ON CONFLICT (category_id, paper_id)"
    " DO UPDATE SET citations = category_paper.citations + excluded.citations"
)
_TAKE = (
    "UPDATE category_paper SET citations = citations - {n}"
    " WHERE paper_id = {paper}"
    " AND category_id = (SELECT t.category_id FROM technique t WHERE t.id = {technique})"
)
_DROP_EMPTY = "DELETE FROM category_paper WHERE paper_id = {paper} AND citations <= 0"
# A technique changing category: its citations' counts, per paper, leave the old category's
# rows and join the new one's.
_MOVE_OUT = (
    "UPDATE category_paper SET citations = citations - (SELECT count(*) FROM technique_citation c"
    " WHERE c.technique_id = {technique} AND c.paper_id = category_paper.paper_id)"
    " WHERE category_id = {old} AND paper_id IN"
    " (SELECT c.paper_id FROM technique_citation c WHERE c.technique_id = {technique})"
)
_DROP_EMPTY_OF = "DELETE FROM category_paper WHERE category_id = {old} AND citations <= 0"
_MOVE_IN = (
    "INSERT INTO category_paper (category_id, paper_id, citations)"
    " SELECT {new}, c.paper_id, count(*) FROM technique_citation c"
    " WHERE c.technique_id = {technique} GROUP BY c.paper_id"
    " ON CONFLICT (category_id, paper_id)"
    " DO UPDATE SET citations = category_paper.citations + excluded.citations"
)
_DELETE_CITATIONS = "DELETE FROM technique_citation WHERE technique_id = {technique}"


def _citation_in(row: str) -> str:
    return _ADD.format(paper=f"{row}.paper_id", n=1, technique=f"{row}.technique_id")


def _citation_out(row: str) -> list[str]:
    return [
        _TAKE.format(paper=f"{row}.paper_id", n=1, technique=f"{row}.technique_id"),
        _DROP_EMPTY.format(paper=f"{row}.paper_id"),
    ]


def _technique_moved() -> list[str]:
    names = {"technique": "NEW.id", "old": "OLD.category_id", "new": "NEW.category_id"}
    return [_MOVE_OUT.format(**names), _DROP_EMPTY_OF.format(**names), _MOVE_IN.format(**names)]


def create_statements(dialect: str) -> list[str]:
    """The triggers (and, on PostgreSQL, their functions) that keep `category_paper`."""
    if dialect == "sqlite":
        return _sqlite_statements()
    if dialect == "postgresql":
        return _postgresql_statements()
    return []


def _sqlite_body(statements: list[str]) -> str:
    return " BEGIN " + "; ".join(statements) + "; END"


def _sqlite_statements() -> list[str]:
    prefix = MEMBERSHIP_OBJECT_PREFIX
    return [
        f"CREATE TRIGGER {prefix}_citation_ai AFTER INSERT ON technique_citation"
        + _sqlite_body([_citation_in("NEW")]),
        f"CREATE TRIGGER {prefix}_citation_ad AFTER DELETE ON technique_citation"
        + _sqlite_body(_citation_out("OLD")),
        f"CREATE TRIGGER {prefix}_citation_au AFTER UPDATE OF technique_id, paper_id"
        " ON technique_citation"
        " WHEN OLD.technique_id IS NOT NEW.technique_id OR OLD.paper_id IS NOT NEW.paper_id"
        + _sqlite_body([*_citation_out("OLD"), _citation_in("NEW")]),
        f"CREATE TRIGGER {prefix}_technique_au AFTER UPDATE OF category_id ON technique"
        " WHEN OLD.category_id IS NOT NEW.category_id" + _sqlite_body(_technique_moved()),
        f"CREATE TRIGGER {prefix}_technique_bd BEFORE DELETE ON technique"
        + _sqlite_body([_DELETE_CITATIONS.format(technique="OLD.id")]),
    ]


def _plpgsql(name: str, statements: list[str], returned: str) -> str:
    body = " ".join(f"{statement};" for statement in statements)
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {body} RETURN {returned}; END $$"
    )


def _postgresql_statements() -> list[str]:
    prefix = MEMBERSHIP_OBJECT_PREFIX
    citation = (
        f"CREATE FUNCTION {prefix}_citation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF TG_OP IN ('DELETE', 'UPDATE') THEN "
        + " ".join(f"{s};" for s in _citation_out("OLD"))
        + " END IF; IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        + f"{_citation_in('NEW')}; END IF; RETURN NULL; END $$"
    )
    return [
        citation,
        f"CREATE TRIGGER {prefix}_citation AFTER INSERT OR DELETE ON technique_citation"
        f" FOR EACH ROW EXECUTE FUNCTION {prefix}_citation()",
        f"CREATE TRIGGER {prefix}_citation_moved AFTER UPDATE OF technique_id, paper_id"
        " ON technique_citation FOR EACH ROW"
        " WHEN (OLD.technique_id IS DISTINCT FROM NEW.technique_id"
        " OR OLD.paper_id IS DISTINCT FROM NEW.paper_id)"
        f" EXECUTE FUNCTION {prefix}_citation()",
        _plpgsql(f"{prefix}_truncated", ["DELETE FROM category_paper"], "NULL"),
        f"CREATE TRIGGER {prefix}_truncated AFTER TRUNCATE ON technique_citation"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_truncated()",
        _plpgsql(f"{prefix}_technique_moved", _technique_moved(), "NULL"),
        f"CREATE TRIGGER {prefix}_technique_moved AFTER UPDATE OF category_id ON technique"
        " FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)"
        f" EXECUTE FUNCTION {prefix}_technique_moved()",
        _plpgsql(
            f"{prefix}_technique_deleted", [_DELETE_CITATIONS.format(technique="OLD.id")], "OLD"
        ),
        f"CREATE TRIGGER {prefix}_technique_deleted BEFORE DELETE ON technique"
        f" FOR EACH ROW EXECUTE FUNCTION {prefix}_technique_deleted()",
    ]


def drop_statements(dialect: str) -> list[str]:
    prefix = MEMBERSHIP_OBJECT_PREFIX
    if dialect == "sqlite":
        names = ("citation_ai", "citation_ad", "citation_au", "technique_au", "technique_bd")
        return [f"DROP TRIGGER IF EXISTS {prefix}_{name}" for name in names]
    if dialect == "postgresql":
        triggers = [
            ("citation", "technique_citation"),
            ("citation_moved", "technique_citation"),
            ("truncated", "technique_citation"),
            ("technique_moved", "technique"),
            ("technique_deleted", "technique"),
        ]
        functions = ("citation", "truncated", "technique_moved", "technique_deleted")
        return [f"DROP TRIGGER IF EXISTS {prefix}_{t} ON {table}" for t, table in triggers] + [
            f"DROP FUNCTION IF EXISTS {prefix}_{f}()" for f in functions
        ]
    return []
