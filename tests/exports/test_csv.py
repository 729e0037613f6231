"""The generic CSV writer, read back by the csv module."""

import csv
import io

import pytest
from sqlmodel import Session, select

import models as m
from api.services.exports import csv_stream


def test_awkward_cells_round_trip() -> None:
    rows: list[list[object]] = [
        ["comma, inside", 'quote " inside', "line\nbreak", None, True, 3.5],
        ["ünïcode ✅", "", "=1+1", 0, False, -1],
    ]
    text = "".join(csv_stream(["a", "b", "c", "d", "e", "f"], rows))
    assert list(csv.reader(io.StringIO(text))) == [
        ["a", "b", "c", "d", "e", "f"],
        ["comma, inside", 'quote " inside', "line\nbreak", "", "true", "3.5"],
        ["ünïcode ✅", "", "'=1+1", "0", "false", "-1"],
    ]


def test_long_lists_come_in_several_chunks() -> None:
    chunks = list(csv_stream(["n", "square"], ([n, n * n] for n in range(1234))))
    assert len(chunks) == 3  # 500 + 500 + 234 rows (the header rides in the first)
    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert rows[0] == ["n", "square"]
    assert rows[1:] == [[str(n), str(n * n)] for n in range(1234)]


def test_a_list_from_the_database(session: Session) -> None:
    engines = session.exec(select(m.Engine).order_by(m.Engine.slug)).all()
    text = "".join(
        csv_stream(
            ["slug", "name", "open_source", "github_stars"],
            ((e.slug, e.name, e.open_source, e.github_stars) for e in engines),
        )
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 27
    vllm = next(row for row in rows if row["slug"] == "vllm")
    assert vllm["name"] == "vLLM"
    assert vllm["open_source"] == "yes"
    assert int(vllm["github_stars"]) > 0


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^row 2 has 1 cells, the header 2$"):
        list(csv_stream(["a", "b"], [["1", "2"], ["3"]]))
