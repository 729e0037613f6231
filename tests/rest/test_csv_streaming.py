"""CSV downloads read their rows lazily, so memory does not grow with the list."""

from collections.abc import Iterator

from pydantic import BaseModel

from api.rest.common import _csv_chunks


class Row(BaseModel):
    name: str
    year: int | None = None


def test_the_first_chunk_is_written_before_the_rest_is_read() -> None:
    pulled = 0

    def rows() -> Iterator[Row]:
        nonlocal pulled
        for n in range(5_000):
            pulled += 1
            yield Row(name=f"paper {n}", year=2000 + n % 20)

    chunks = _csv_chunks(rows())
    first = next(chunks)
    assert first.startswith("name,year\r\npaper 0,2000\r\n")
    assert pulled <= 501  # one chunk of 500 rows, not the whole list
    rest = "".join(chunks)
    assert pulled == 5_000
    assert (first + rest).count("\n") == 5_001
