"""A dump is content only and is checked before it is trusted: no API tokens in or out, no
restore without a valid content hash (unless --no-verify), every value checked as strictly
as the seed checks its files."""

import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app
from api.config import get_settings
from api.errors import InvalidInputError
from api.services.exports import dump_graph, restore_graph
from api.services.tokens import authenticate, create_token
from models.access import TokenScope


@pytest.fixture(scope="module")
def dumped(seeded_engine: sa.Engine) -> str:
    buffer = io.StringIO()
    dump_graph(seeded_engine, buffer)
    return buffer.getvalue()


def restore(engine: sa.Engine, text: str, *, verify: bool = True) -> dict[str, int]:
    return restore_graph(engine, io.BytesIO(text.encode()), verify=verify)


def edited(dumped: str, table: str, column: str, value: Any, *, raw: str | None = None) -> str:
    """The dump with the first row's `column` of `table` set to `value` (or to the JSON text
    `raw`, for what json.dumps will not write), its content hash dropped."""
    document = json.loads(dumped)
    del document["content_hash"]
    target = next(t for t in document["tables"] if t["name"] == table)
    index = [c["name"] for c in target["columns"]].index(column)
    target["rows"][0][index] = "@@RAW@@" if raw is not None else value
    text = json.dumps(document)
    return text.replace('"@@RAW@@"', raw) if raw is not None else text


def test_tokens_never_leave_in_a_dump_and_a_planted_one_is_refused(
    empty_engine: sa.Engine, dumped: str, tmp_path: Any
) -> None:
    document = json.loads(dumped)
    assert "api_token" not in [t["name"] for t in document["tables"]]
    # An attacker adds an admin token table to an otherwise valid dump.
    planted = create_token(empty_engine, name="x", scope=TokenScope.ADMIN)
    with empty_engine.begin() as connection:
        row = connection.execute(sa.text("SELECT * FROM api_token")).mappings().one()
        connection.execute(sa.text("DELETE FROM api_token"))
    columns = list(row.keys())
    document["tables"].insert(
        0,
        {
            "name": "api_token",
            "columns": [{"name": c} for c in columns],
            "row_count": 1,
            "rows": [[str(row[c]) if row[c] is not None else None for c in columns]],
        },
    )
    with pytest.raises(InvalidInputError) as refused:
        restore(empty_engine, json.dumps(document))
    assert refused.value.problems[0].value == "api_token"
    assert authenticate_or_none(empty_engine, planted.token) is None


def authenticate_or_none(engine: sa.Engine, token: str) -> object:
    try:
        return authenticate(engine, f"Bearer {token}", TokenScope.READ)
    except Exception:
        return None


def test_a_dump_without_its_hash_is_refused_unless_unverified(
    empty_engine: sa.Engine, dumped: str
) -> None:
    document = json.loads(dumped)
    del document["content_hash"]
    with pytest.raises(InvalidInputError) as refused:
        restore(empty_engine, json.dumps(document))
    assert refused.value.message == "the dump has no content hash; nothing was written"
    with empty_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM engine")).scalar_one() == 0
    assert restore(empty_engine, json.dumps(document), verify=False)["engine"] == 27


def test_an_edited_dump_with_the_old_hash_is_refused(empty_engine: sa.Engine, dumped: str) -> None:
    document = json.loads(dumped)
    engines = next(t for t in document["tables"] if t["name"] == "engine")
    engines["rows"][0][1] = "Edited"
    with pytest.raises(InvalidInputError) as refused:
        restore(empty_engine, json.dumps(document))
    assert refused.value.problems[0].field == "content_hash"


@pytest.mark.parametrize(
    ("table", "column", "value", "raw", "message"),
    [
        ("model_price", "input_usd_per_mtok", None, "NaN", "NaN is not a JSON number"),
        ("model_price", "input_usd_per_mtok", None, "Infinity", "Infinity is not a JSON number"),
        ("model_price", "input_usd_per_mtok", "NaN", None, "'NaN' is not a finite number"),
        ("model_price", "input_usd_per_mtok", "-Infinity", None, "is not a finite number"),
        ("engine", "name", "v\u0000LLM", None, "NUL character"),
        ("engine", "name", "v\ud800LLM", None, "unpaired surrogates"),
        ("engine", "github_stars", 2**40, None, "outside the column's 32-bit range"),
        ("engine", "name", 12, None, "12 is not a string"),
        (
            "paper",
            "bibtex_fields",
            {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
            None,
            "nested deeper than 32",
        ),
        ("paper", "bibtex_fields", None, "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
    ids=[
        "nan-literal",
        "infinity-literal",
        "nan-text",
        "infinity-text",
        "nul",
        "surrogate",
        "int-range",
        "wrong-type",
        "json-depth",
        "parse-depth",
    ],
)
def test_values_are_checked_as_strictly_as_the_seed(
    empty_engine: sa.Engine,
    dumped: str,
    table: str,
    column: str,
    value: Any,
    raw: str | None,
    message: str,
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        restore(empty_engine, edited(dumped, table, column, value, raw=raw), verify=False)
    [problem] = refused.value.problems
    assert message in problem.message
    with empty_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM engine")).scalar_one() == 0


def test_restore_no_verify_warns(
    empty_engine: sa.Engine, dumped: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "edited.json"
    document = json.loads(dumped)
    del document["content_hash"]
    path.write_text(json.dumps(document))
    monkeypatch.setenv("INFERGRAPH_DATABASE_URL", empty_engine.url.render_as_string(False))
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app, ["restore", str(path)])
        loaded = CliRunner().invoke(app, ["restore", "--no-verify", str(path)])
    finally:
        get_settings.cache_clear()
    assert refused.exit_code == 1 and "no content hash" in refused.output
    assert loaded.exit_code == 0, loaded.output
    assert "warning: --no-verify" in loaded.output
