"""Reading arXiv API Atom feeds: values, entry problems, hostile and broken documents, memory."""

import io
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from api.errors import InvalidInputError
from api.services.ingest.readers.arxiv_feed import (
    ArxivAuthor,
    ArxivEntry,
    ArxivError,
    EntryProblem,
    FeedInfo,
    ParsedFeed,
    iter_entries,
    parse_feed,
)
from tests.ingest.arxiv_server import FIXTURES, fixture_bytes


def _parse_fixture(name: str) -> ParsedFeed:
    with (FIXTURES / name).open("rb") as stream:
        return parse_feed(stream, name)


def _rejection(document: bytes, source: str = "doc.xml") -> InvalidInputError:
    """The error parsing `document` raises, failing if it takes more than a few seconds."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            parse_feed(io.BytesIO(document), source)
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "the parser hung"
    assert len(outcome) == 1, "the parser accepted the document"
    error = outcome[0]
    assert isinstance(error, InvalidInputError), repr(error)
    return error


def test_normal_response_values() -> None:
    feed = _parse_fixture("query_ids.xml")

    assert feed.info == FeedInfo(total_results=3, start_index=0, items_per_page=3)
    assert feed.problems == ()
    assert [entry.versioned_id for entry in feed.entries] == [
        "2309.06180v1",
        "2211.17192v2",
        "hep-th/9901001v1",
    ]
    vllm = feed.entries[0]
    assert vllm == ArxivEntry(
        arxiv_id="2309.06180",
        version=1,
        title=("Efficient Memory Management for Large Language Model Serving with PagedAttention"),
        abstract=(
            "High throughput serving of large language models (LLMs) requires batching "
            "sufficiently many requests at a time. However, existing systems struggle because "
            "the key-value cache (KV cache) memory for each request is huge and grows and "
            "shrinks dynamically. To address this problem, we propose PagedAttention."
        ),
        authors=(
            ArxivAuthor("Woosuk Kwon"),
            ArxivAuthor("Zhuohan Li"),
            ArxivAuthor("Ion Stoica"),
        ),
        published=datetime(2023, 9, 12, 17, 30, 18, tzinfo=UTC),
        updated=datetime(2023, 9, 12, 17, 30, 18, tzinfo=UTC),
        primary_category="cs.LG",
        categories=("cs.LG", "cs.DC"),
        doi="10.1145/3600006.3613165",
        journal_ref=(
            "Proceedings of the 29th Symposium on Operating Systems Principles (SOSP '23), 2023"
        ),
        comment="SOSP 2023",
        pdf_url="http://arxiv.org/pdf/2309.06180v1",
        abs_url="http://arxiv.org/abs/2309.06180v1",
    )


def test_affiliations_tabs_and_missing_optional_fields() -> None:
    speculative = _parse_fixture("query_ids.xml").entries[1]

    assert speculative.title == "Fast Inference from Transformers via Speculative Decoding"
    assert speculative.abstract.startswith("Inference from large autoregressive models")
    assert "\n" not in speculative.abstract
    assert "slow - decoding K tokens takes K serial runs of the model. In this work" in (
        speculative.abstract
    )
    assert speculative.authors == (
        ArxivAuthor("Yaniv Leviathan", ("Google Research", "Tel Aviv University")),
        ArxivAuthor("Matan Kalman", ("Google Research",)),
        ArxivAuthor("Yossi Matias", ()),
    )
    assert (speculative.doi, speculative.journal_ref) == (None, None)
    assert speculative.comment == "ICML 2023 Oral"
    assert speculative.published == datetime(2022, 11, 30, 17, 33, 28, tzinfo=UTC)
    assert speculative.updated == datetime(2023, 5, 18, 16, 53, 1, tzinfo=UTC)


def test_old_style_id_offset_dates_and_primary_category_kept_first() -> None:
    old = _parse_fixture("query_ids.xml").entries[2]

    assert (old.arxiv_id, old.version) == ("hep-th/9901001", 1)
    assert old.title == "An Entry With an Old-Style Identifier"
    assert old.published == datetime(1999, 1, 1, 12, tzinfo=timezone(timedelta(hours=-5)))
    assert old.published.utcoffset() == timedelta(hours=-5)
    assert old.primary_category == "hep-th"
    assert old.categories == ("hep-th", "gr-qc")
    assert old.pdf_url == "http://arxiv.org/pdf/hep-th/9901001v1"


def test_namespaces_declared_on_the_feed_and_paging_numbers() -> None:
    feed = _parse_fixture("search_page_2.xml")

    assert feed.info == FeedInfo(total_results=5, start_index=2, items_per_page=2)
    assert [entry.versioned_id for entry in feed.entries] == ["2305.09781v4", "2401.10774v3"]
    specinfer = feed.entries[0]
    assert specinfer.title == (
        "SpecInfer: Accelerating Generative Large Language Model Serving with Tree-based "
        "Speculative Inference and Verification"
    )
    assert specinfer.categories == ("cs.CL", "cs.DC", "cs.LG")
    assert specinfer.abs_url == "https://arxiv.org/abs/2305.09781v4"


def test_empty_feed_has_no_entries_and_no_error() -> None:
    feed = _parse_fixture("empty.xml")

    assert feed == ParsedFeed(FeedInfo(0, 0, 100), (), ())


def test_error_feed_raises_arxiv_error_with_its_message() -> None:
    with pytest.raises(ArxivError) as caught:
        _parse_fixture("error.xml")

    error = caught.value
    assert isinstance(error, InvalidInputError)
    assert error.message == "arXiv rejected the query error.xml: incorrect id format for 1234.12345"
    assert [problem.location for problem in error.problems] == ["error.xml:10"]
    assert error.problems[0].value == (
        "http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345"
    )


def test_malformed_entries_are_reported_and_the_rest_are_read() -> None:
    with (FIXTURES / "malformed_entries.xml").open("rb") as stream:
        items = list(iter_entries(stream, "bad.xml"))

    assert [type(item) for item in items] == [ArxivEntry, EntryProblem, EntryProblem, ArxivEntry]
    no_id, bad_dates = items[1], items[2]
    assert isinstance(no_id, EntryProblem) and isinstance(bad_dates, EntryProblem)
    assert (no_id.index, no_id.entry_id) == (1, None)
    assert [(p.field, p.message, p.location) for p in no_id.problems] == [
        ("id", "missing", "bad.xml:17")
    ]
    assert (bad_dates.index, bad_dates.entry_id) == (2, "http://arxiv.org/abs/2307.08691v1")
    assert [(p.field, p.message, p.value) for p in bad_dates.problems] == [
        ("published", "not an RFC 3339 date-time", "yesterday"),
        ("updated", "date-time has no time zone", "2023-07-17T17:50:36"),
        ("primary_category", "missing", None),
    ]
    assert {p.location for p in bad_dates.problems} == {"bad.xml:25"}
    assert str(no_id) == "entry 1: bad.xml:17: id: missing"
    assert str(bad_dates).startswith(
        "entry 2 (http://arxiv.org/abs/2307.08691v1): bad.xml:25: published: not an RFC 3339 "
        "date-time (got 'yesterday'); bad.xml:25: updated: "
    )

    old_style = items[3]
    assert isinstance(old_style, ArxivEntry)
    assert (old_style.arxiv_id, old_style.version) == ("math.GT/0309136", 1)
    assert old_style.abs_url == "http://arxiv.org/abs/math.GT/0309136v1"
    assert old_style.pdf_url is None


def test_billion_laughs_is_refused_quickly() -> None:
    error = _rejection(fixture_bytes("billion_laughs.xml"), "bomb.xml")

    assert error.message == "bomb.xml is not a readable arXiv Atom feed"
    assert error.problems[0].location == "bomb.xml:2"
    assert "<!DOCTYPE feed>" in error.problems[0].message


def test_external_entity_is_refused_without_reading_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    document = fixture_bytes("external_entity.xml").replace(
        b"file:///etc/passwd", secret.as_uri().encode()
    )

    error = _rejection(document, "xxe.xml")

    assert error.problems[0].location == "xxe.xml:2"
    assert "TOP-SECRET-VALUE" not in str(error)
    assert "root:" not in str(_rejection(fixture_bytes("external_entity.xml")))


def test_undeclared_entity_is_not_xml() -> None:
    document = b'<feed xmlns="http://www.w3.org/2005/Atom">\n<title>&xxe;</title></feed>'

    error = _rejection(document)

    assert error.problems[0].location == "doc.xml:2"
    assert error.problems[0].message == "not well-formed XML: Entity 'xxe' not defined (column 13)"


def test_html_page_is_not_a_feed() -> None:
    error = _rejection(fixture_bytes("not_a_feed.html"), "https://export.arxiv.org/api/query")

    assert error.message == "https://export.arxiv.org/api/query is not a readable arXiv Atom feed"
    assert error.problems[0].location == "https://export.arxiv.org/api/query:1"
    assert "<!DOCTYPE html>" in error.problems[0].message


def test_wrong_root_raises_before_any_entry_is_yielded() -> None:
    entry = fixture_bytes("search_page_0.xml").split(b"<entry>")[1].split(b"</entry>")[0]
    document = (
        b'<?xml version="1.0"?>\n<rss xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        b'<entry xmlns="http://www.w3.org/2005/Atom">' + entry + b"</entry></rss>"
    )
    items = iter_entries(io.BytesIO(document), "rss.xml")

    with pytest.raises(InvalidInputError) as caught:
        next(items)

    assert str(caught.value) == (
        "rss.xml is not a readable arXiv Atom feed\n"
        "  - rss.xml:2: its root element is <rss>, not an Atom <feed>"
    )


def test_xml_without_any_atom_element_is_refused_at_its_root() -> None:
    document = b'<?xml version="1.0"?>\n\n<html><body><p>Service unavailable</p></body></html>'

    error = _rejection(document)

    assert error.problems[0].location == "doc.xml:3"
    assert error.problems[0].message == "its root element is <html>, not an Atom <feed>"


def test_a_feed_nested_in_another_root_is_refused() -> None:
    document = b'<wrapper>\n<feed xmlns="http://www.w3.org/2005/Atom"/></wrapper>'

    error = _rejection(document)

    assert error.problems[0].location == "doc.xml:1"
    assert error.problems[0].message == "its root element is <wrapper>, not an Atom <feed>"


def test_only_entries_that_are_children_of_the_feed_are_read() -> None:
    page = fixture_bytes("search_page_0.xml")
    entry = b"<entry>" + page.split(b"<entry>")[1].split(b"</entry>")[0] + b"</entry>"
    document = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        b"<group>"
        + entry.replace(b"/abs/", b"/abs/nested")
        + b"</group>\n"
        + entry
        + b"\n<junk/>\n"
        + entry
        + b"\n</feed>"
    )

    feed = parse_feed(io.BytesIO(document), "doc.xml")

    assert not feed.problems
    assert len(feed.entries) == 2 and feed.entries[0] == feed.entries[1]
    assert "nested" not in feed.entries[0].abs_url


def test_feed_outside_the_atom_namespace_is_refused() -> None:
    error = _rejection(b"<feed><entry/></feed>")

    assert "its root element is <feed>, not an Atom <feed>" in error.problems[0].message


@pytest.mark.parametrize(
    ("document", "line"),
    [
        pytest.param(b'{"feed": {"entry": []}}', 1, id="json"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 1, id="binary"),
        pytest.param(b"", 1, id="empty"),
        pytest.param(b"\n\n<feed xmlns='http://www.w3.org/2005/Atom'>\n<entry>\n", 5, id="open"),
    ],
)
def test_documents_that_are_not_xml(document: bytes, line: int) -> None:
    error = _rejection(document, "page")

    assert error.message == "page is not a readable arXiv Atom feed"
    assert error.problems[0].location == f"page:{line}"
    assert error.problems[0].message.startswith("not well-formed XML: ")


def test_truncated_feed_yields_what_was_complete_then_fails_at_the_cut() -> None:
    data = fixture_bytes("truncated.xml")
    last_line = data.count(b"\n") + 1
    items: list[ArxivEntry | EntryProblem] = []

    with pytest.raises(InvalidInputError) as caught:
        items.extend(iter_entries(io.BytesIO(data), "truncated.xml"))

    assert [item.versioned_id for item in items if isinstance(item, ArxivEntry)] == ["2309.06180v1"]
    assert caught.value.problems[0].location == f"truncated.xml:{last_line}"
    assert caught.value.problems[0].message == (
        "not well-formed XML: Premature end of data inside <summary> opened at line 52 (column 1)"
    )


def test_paging_number_that_is_not_an_integer_is_refused() -> None:
    document = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:o="http://a9.com/-/spec/opensearch/1.1/">\n<o:totalResults>many</o:totalResults>'
        b"</feed>"
    )

    error = _rejection(document)

    assert error.problems[0].location == "doc.xml:2"
    assert "totalResults" in error.problems[0].message


class _CountingStream:
    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)
        self.bytes_read = 0

    def read(self, size: int, /) -> bytes:
        chunk = self._stream.read(size)
        self.bytes_read += len(chunk)
        return chunk


_ENTRY = """  <entry>
    <id>http://arxiv.org/abs/2401.{number:05d}v1</id>
    <updated>2024-01-02T03:04:05Z</updated>
    <published>2024-01-02T03:04:05Z</published>
    <title>Generated paper {number} about
      speculative decoding</title>
    <summary>An abstract long enough to matter: {filler}</summary>
    <author><name>Author {number}</name></author>
    <arxiv:primary_category term="cs.CL"/>
  </entry>
"""


def _write_feed(path: Path, count: int) -> Path:
    filler = "tokens " * 60
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"'
            ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n'
            f"  <opensearch:totalResults>{count}</opensearch:totalResults>\n"
        )
        for number in range(count):
            out.write(_ENTRY.format(number=number, filler=filler))
        out.write("</feed>\n")
    return path


def _peak_memory(run: Callable[[], int]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        result = run()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def _count_entries(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(isinstance(item, ArxivEntry) for item in iter_entries(stream, path.name))


def test_memory_stays_flat_over_a_long_feed(tmp_path: Path) -> None:
    small = _write_feed(tmp_path / "1k.xml", 1_000)
    large = _write_feed(tmp_path / "10k.xml", 10_000)

    small_count, small_peak = _peak_memory(lambda: _count_entries(small))
    large_count, large_peak = _peak_memory(lambda: _count_entries(large))

    assert (small_count, large_count) == (1_000, 10_000)
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking (pytest) process.
_PEAK_RSS_OF_A_READ = """
import re, sys
from pathlib import Path
from api.services.ingest.readers.arxiv_feed import iter_entries
with open(sys.argv[1], "rb") as stream:
    count = sum(1 for _ in iter_entries(stream, "feed.xml"))
status = Path("/proc/self/status").read_text()
print(count, re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
"""


def _read_in_fresh_process(path: Path) -> tuple[int, int]:
    """Entries read and the peak resident KiB of a fresh interpreter that read them."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_OF_A_READ, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    )
    count, peak = done.stdout.split()
    return int(count), int(peak)


def test_the_parsed_tree_is_pruned_as_entries_are_read(tmp_path: Path) -> None:
    # libxml2's tree lives outside Python's allocator, where tracemalloc cannot see it: the
    # whole process's peak resident memory shows whether read entries are dropped. Kept,
    # 20,000 entries would add well over 40 MiB.
    small = _write_feed(tmp_path / "1k.xml", 1_000)
    large = _write_feed(tmp_path / "20k.xml", 20_000)

    small_count, small_peak = _read_in_fresh_process(small)
    large_count, large_peak = _read_in_fresh_process(large)

    assert (small_count, large_count) == (1_000, 20_000)
    assert large_peak - small_peak < 8 * 1024, (small_peak, large_peak)


def test_entries_are_yielded_before_the_whole_document_is_read(tmp_path: Path) -> None:
    data = _write_feed(tmp_path / "feed.xml", 2_000).read_bytes()
    stream = _CountingStream(data)

    first = next(iter_entries(stream, "feed.xml"))

    assert isinstance(first, ArxivEntry) and first.arxiv_id == "2401.00000"
    assert first.title == "Generated paper 0 about speculative decoding"
    assert stream.bytes_read < len(data) // 10


def _rejected_here(document: bytes, source: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        parse_feed(io.BytesIO(document), source)
    return caught.value


def test_each_malformed_feed_in_one_thread_reports_its_own_error() -> None:
    """libxml2's thread-wide log keeps the first error of the thread: read from it, every
    later feed parsed in the same thread (a server's pooled thread) reported the first one."""
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom">'
    first = _rejected_here(atom + b"\n<entry><title>x</entry></feed>", "first")
    second = _rejected_here(atom + b"\n\n\n<a></b></feed>", "second")
    third = _rejected_here(atom + b"\n<title>&xxe;</title></feed>", "third")

    assert (first.problems[0].location, first.problems[0].message) == (
        "first:2",
        "not well-formed XML: Opening and ending tag mismatch: title line 2 and entry (column 24)",
    )
    assert (second.problems[0].location, second.problems[0].message) == (
        "second:4",
        "not well-formed XML: Opening and ending tag mismatch: a line 4 and b (column 8)",
    )
    assert (third.problems[0].location, third.problems[0].message) == (
        "third:2",
        "not well-formed XML: Entity 'xxe' not defined (column 13)",
    )
