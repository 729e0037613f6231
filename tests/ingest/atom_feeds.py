"""Generated arXiv Atom answers of any size, and a router that serves them like arXiv does.

Generated ids use the year 99 (`99MM.NNNNN`), which no real paper of the survey has, so a
generated entry never merges with a seeded paper by accident.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from api.services.ingest.readers.identifiers import split_arxiv_id
from tests.ingest.arxiv_server import CannedResponse, RecordedRequest

AUTHORS_PER_ENTRY = 3
_WORDS = ("paged", "speculative", "sparse", "quantized", "batched", "cached", "fused", "tiled")
_START = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedEntry:
    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    published: datetime


def generated_entry(n: int) -> FeedEntry:
    """Entry number `n`: a unique id, a unique title and `AUTHORS_PER_ENTRY` authors."""
    words = " ".join(_WORDS[(n // 8**k) % len(_WORDS)] for k in range(3))
    return FeedEntry(
        arxiv_id=f"99{1 + (n // 100_000) % 12:02d}.{n % 100_000:05d}",
        title=f"Generated work {n}: {words} attention for serving",
        authors=tuple(
            f"Given{(n + k) % 997} Family{(n * 7 + k) % 4999}" for k in range(AUTHORS_PER_ENTRY)
        ),
        published=_START + timedelta(minutes=n),
    )


def atom_feed(entries: Iterable[FeedEntry], *, total: int, start: int = 0) -> bytes:
    """An arXiv API answer holding `entries`, one page of `total` results from `start`."""
    items = list(entries)
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n',
        "<id>https://arxiv.org/api/generated</id><title>arXiv Query</title>",
        "<updated>2025-06-02T00:00:00Z</updated>\n",
        f"<opensearch:itemsPerPage>{len(items)}</opensearch:itemsPerPage>",
        f"<opensearch:totalResults>{total}</opensearch:totalResults>",
        f"<opensearch:startIndex>{start}</opensearch:startIndex>\n",
    ]
    for entry in items:
        stamp = entry.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(
            f"<entry><id>http://arxiv.org/abs/{entry.arxiv_id}v1</id>"
            f"<title>{escape(entry.title)}</title>"
            f"<updated>{stamp}</updated><published>{stamp}</published>"
            f"<summary>We study {escape(entry.title.lower())} for large language models.</summary>"
            + "".join(f"<author><name>{escape(name)}</name></author>" for name in entry.authors)
            + f'<link href="https://arxiv.org/abs/{entry.arxiv_id}v1" rel="alternate" '
            'type="text/html"/><arxiv:primary_category term="cs.DC"/>'
            '<category term="cs.DC" scheme="http://arxiv.org/schemas/atom"/></entry>\n'
        )
    parts.append("</feed>\n")
    return "".join(parts).encode()


def arxiv_router(entries: Sequence[FeedEntry]) -> Callable[[RecordedRequest], CannedResponse]:
    """Answers `id_list` lookups from `entries` and pages any search through all of them."""
    by_id = {entry.arxiv_id: entry for entry in entries}

    def answer(request: RecordedRequest) -> CannedResponse:
        headers = {"Content-Type": "application/atom+xml"}
        if request.params.get("id_list"):
            wanted = [split_arxiv_id(raw) for raw in request.params["id_list"].split(",")]
            found = [by_id[p[0]] for p in wanted if p is not None and p[0] in by_id]
            return CannedResponse(body=atom_feed(found, total=len(found)), headers=headers)
        start = int(request.params.get("start", "0"))
        size = int(request.params.get("max_results", "100"))
        page = entries[start : start + size]
        return CannedResponse(
            body=atom_feed(page, total=len(entries), start=start), headers=headers
        )

    return answer
