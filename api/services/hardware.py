"""Hardware platforms (matrix columns), concrete devices and numeric precisions."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

import models as m
from api.services.lookup import by_slug
from api.services.pagination import FIRST_PAGE, Page, PageRequest, table_keys, table_page
from api.services.views import View, column, list_ref, slug_ref
from api.services.vocabulary import Choice, key
from models.base import PlatformKind

PLATFORM = View(
    m.Platform,
    (
        column(m.Platform, "slug"),
        column(m.Platform, "name"),
        column(m.Platform, "kind"),
        column(m.Platform, "url"),
    ),
    (
        list_ref(
            "examples",
            "Example products the survey names.",
            m.PlatformExample,
            "platform_id",
            lambda example: {"name": example.name, "url": example.url},
            ["position"],
            value_type=list[dict[str, Any]],
        ),
    ),
)
DEVICE = View(
    m.Device,
    (
        column(m.Device, "slug"),
        column(m.Device, "name"),
        column(m.Device, "vendor"),
        column(m.Device, "memory_gb"),
    ),
    (slug_ref("platform", "Slug of the platform it belongs to.", m.Platform, "platform_id"),),
)
PRECISION = View(
    m.Precision,
    (
        column(m.Precision, "slug"),
        column(m.Precision, "name"),
        column(m.Precision, "bits"),
        column(m.Precision, "family"),
    ),
)


@dataclass(frozen=True)
class PlatformFilter:
    kinds: tuple[PlatformKind, ...] = key(
        Choice(PlatformKind, many=True), rest="kind", description="Kind of platform"
    )


PLATFORM_KEYS = table_keys(m.Platform, "id")
"""The platform list's order: its cursors' grammar."""


def list_platforms(
    session: Session, f: PlatformFilter | None = None, page: PageRequest = FIRST_PAGE
) -> Page[m.Platform]:
    f = f or PlatformFilter()
    where = [col(m.Platform.kind).in_(f.kinds)] if f.kinds else []
    return table_page(session, m.Platform, "id", page, *where)


def get_platform(session: Session, slug: str) -> m.Platform:
    return by_slug(session, m.Platform, slug, "platform", "slug")


def list_devices(session: Session, page: PageRequest = FIRST_PAGE) -> Page[m.Device]:
    return table_page(session, m.Device, "name", page)


def all_devices(session: Session) -> Sequence[m.Device]:
    return list(session.exec(select(m.Device).order_by(col(m.Device.name))))


def get_device(session: Session, slug: str) -> m.Device:
    return by_slug(session, m.Device, slug, "device", "slug")


def list_precisions(session: Session, page: PageRequest = FIRST_PAGE) -> Page[m.Precision]:
    return table_page(session, m.Precision, "id", page)


def all_precisions(session: Session) -> Sequence[m.Precision]:
    return list(session.exec(select(m.Precision).order_by(col(m.Precision.id))))


def get_precision(session: Session, slug: str) -> m.Precision:
    return by_slug(session, m.Precision, slug, "precision", "slug")
