"""What every resolver can reach: the request's session, batching and limits."""

import base64
import binascii
from dataclasses import dataclass

from sqlmodel import Session

from api.errors import InvalidInputError, Problem
from api.graphql.batch import Batch
from api.services.pagination import DEFAULT_PAGE_SIZE, PageRequest


@dataclass
class GraphContext:
    session: Session
    batch: Batch
    max_page_size: int
    max_list_values: int

    def page(self, first: int | None, after: str | None, field: str = "first") -> PageRequest:
        size = DEFAULT_PAGE_SIZE if first is None else first
        if not 0 <= size <= self.max_page_size:
            raise InvalidInputError(
                "page size out of range",
                [Problem(f"must be between 0 and {self.max_page_size}", field=field, value=size)],
            )
        return PageRequest(first=size, after=after)


def encode_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode_global_id(value: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        type_name, _, pk = raw.partition(":")
        if type_name and pk.isdigit():
            return type_name, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise InvalidInputError(
        "invalid global id", [Problem("not an id this API issued", field="id", value=value)]
    )
