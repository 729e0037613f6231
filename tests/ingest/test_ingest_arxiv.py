"""`ingest arxiv` by ids, by search (paged) and from a saved feed, against a local fake arXiv."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from api.errors import InvalidInputError
from api.services.ingest import ProgressEvent, ingest_arxiv
from api.services.ingest.readers.arxiv_client import ArxivClient
from api.services.ingest.readers.arxiv_feed import ArxivError
from tests.ingest.arxiv_server import (
    CannedResponse,
    FakeArxiv,
    RecordedRequest,
    fake_arxiv_fixture,  # noqa: F401 - provides the `fake_arxiv` fixture
)
from tests.ingest.helpers import ARXIV_FIXTURES, authors_of, count, fingerprint, paper


def _client(fake_arxiv: FakeArxiv, page_size: int = 100) -> ArxivClient:
    return ArxivClient(fake_arxiv.base_url, delay=0.0, backoff=0.0, page_size=page_size)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def test_ids_of_both_styles_map_every_arxiv_field(
    empty_engine: sa.Engine, fake_arxiv: FakeArxiv
) -> None:
    fake_arxiv.queue(CannedResponse.feed("query_ids.xml"))
    ids = ["2309.06180v1", "arXiv:2211.17192", "hep-th/9901001"]

    report = ingest_arxiv(empty_engine, ids=ids, client=_client(fake_arxiv))

    assert (report.added, report.failed) == (3, 0)
    assert fake_arxiv.requests[0].params["id_list"] == "2309.06180v1,2211.17192,hep-th/9901001"
    vllm = paper(empty_engine, arxiv_id="2309.06180")
    assert vllm.title == (
        "Efficient Memory Management for Large Language Model Serving with PagedAttention"
    )
    assert vllm.abstract is not None and "\n" not in vllm.abstract and "  " not in vllm.abstract
    assert (vllm.arxiv_version, vllm.doi) == (1, "10.1145/3600006.3613165")
    assert _utc(vllm.arxiv_published) == datetime(2023, 9, 12, 17, 30, 18, tzinfo=UTC)
    assert vllm.primary_category == "cs.LG"
    assert vllm.categories is not None and vllm.categories[0] == "cs.LG"
    assert vllm.journal_ref == (
        "Proceedings of the 29th Symposium on Operating Systems Principles (SOSP '23), 2023"
    )
    assert vllm.url == "https://arxiv.org/abs/2309.06180"
    assert vllm.bibtex_key == "kwon2023efficient"
    assert vllm.bibtex_fields["eprint"] == "2309.06180"
    assert [name for name, _ in authors_of(empty_engine, vllm.id or 0)] == [
        "Woosuk Kwon",
        "Zhuohan Li",
        "Ion Stoica",
    ]
    leviathan = paper(empty_engine, arxiv_id="2211.17192")
    assert authors_of(empty_engine, leviathan.id or 0)[0] == (
        "Yaniv Leviathan",
        ["Google Research", "Tel Aviv University"],
    )
    assert paper(empty_engine, arxiv_id="hep-th/9901001").arxiv_version == 1


def test_an_id_arxiv_does_not_return_is_a_failure(
    empty_engine: sa.Engine, fake_arxiv: FakeArxiv
) -> None:
    fake_arxiv.queue(CannedResponse.feed("query_ids.xml"))
    ids = ["2309.06180", "2211.17192", "hep-th/9901001", "2401.99999"]

    report = ingest_arxiv(empty_engine, ids=ids, client=_client(fake_arxiv))

    assert (report.added, report.failed) == (3, 1)
    assert (report.failures[0].location, report.failures[0].message) == (
        "2401.99999",
        "arXiv returned no entry for this id",
    )


def test_search_pages_through_results_and_reports_progress(
    empty_engine: sa.Engine, fake_arxiv: FakeArxiv
) -> None:
    def pages(request: RecordedRequest) -> CannedResponse:
        return CannedResponse.feed(f"search_page_{request.params['start']}.xml")

    fake_arxiv.router = pages
    events: list[ProgressEvent] = []
    query = 'cat:cs.CL AND abs:"speculative decoding"'

    report = ingest_arxiv(
        empty_engine,
        query=query,
        max_results=10,
        client=_client(fake_arxiv, page_size=2),
        progress=events.append,
        batch_size=2,
    )

    assert [r.params["start"] for r in fake_arxiv.requests] == ["0", "2", "4"]
    assert fake_arxiv.requests[0].params["search_query"] == query
    assert (report.added, report.failed) == (5, 0)
    assert report.locator == f"search_query={query}"
    assert [(e.done, e.total) for e in events] == [(2, 10), (4, 10), (5, 10)]
    assert paper(empty_engine, arxiv_id="2401.10774").title == (
        "Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads"
    )


def test_saved_feed_file(empty_engine: sa.Engine) -> None:
    report = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "search_page_0.xml")

    assert (report.added, report.locator) == (2, "search_page_0.xml")
    assert paper(empty_engine, arxiv_id="2302.01318").year == 2023


def test_entries_arxiv_sent_broken_fail_alone(empty_engine: sa.Engine) -> None:
    report = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "malformed_entries.xml")

    assert report.added >= 1 and report.failed >= 1
    assert all(f.location for f in report.failures)
    assert count(empty_engine, "paper") == report.added


@pytest.mark.parametrize(
    ("fixture", "error"),
    [
        ("not_a_feed.html", InvalidInputError),
        ("billion_laughs.xml", InvalidInputError),
        ("external_entity.xml", InvalidInputError),
        ("error.xml", ArxivError),
    ],
)
def test_input_that_is_not_a_feed_is_rejected_before_writing(
    empty_engine: sa.Engine, fixture: str, error: type[Exception]
) -> None:
    before = fingerprint(empty_engine)
    with pytest.raises(error):
        ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / fixture)
    assert fingerprint(empty_engine) == before
    assert count(empty_engine, "ingest_run") == 0


def test_arxiv_error_feed_from_the_server_writes_nothing(
    empty_engine: sa.Engine, fake_arxiv: FakeArxiv
) -> None:
    fake_arxiv.queue(CannedResponse(status=400, body=(ARXIV_FIXTURES / "error.xml").read_bytes()))
    with pytest.raises(ArxivError, match="incorrect id format"):
        ingest_arxiv(empty_engine, query="id:1234.12345", client=_client(fake_arxiv))
    assert count(empty_engine, "paper") == 0 and count(empty_engine, "source") == 0


def test_empty_feed_is_an_empty_run(empty_engine: sa.Engine) -> None:
    report = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "empty.xml")
    assert (report.handled, report.ok) == (0, True)
    assert count(empty_engine, "ingest_run") == 1


def test_truncated_feed_keeps_what_came_before_and_aborts(empty_engine: sa.Engine) -> None:
    report = ingest_arxiv(empty_engine, feed_file=ARXIV_FIXTURES / "truncated.xml", batch_size=1)
    assert report.aborted and not report.ok
    assert report.failures[-1].location is not None
    assert report.failures[-1].location.startswith("truncated.xml:")
    assert count(empty_engine, "paper") == report.added


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"ids": ["2309.06180"], "query": "x"},
        {"ids": ["not an id"]},
        {"query": "x", "max_results": 0},
    ],
)
def test_bad_arguments_are_invalid_input(
    empty_engine: sa.Engine, arguments: dict[str, object]
) -> None:
    with pytest.raises(InvalidInputError):
        ingest_arxiv(empty_engine, client=ArxivClient("http://127.0.0.1:9"), **arguments)  # type: ignore[arg-type]
    assert count(empty_engine, "source") == 0
