"""Response bodies of the REST API. Descriptions come from the table models where they exist."""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.config import JsonDict

from api.services import (
    benchmarks,
    engines,
    hardware,
    literature,
    market,
    provenance,
    support,
    techniques,
)
from api.services.views import View
from api.services.vocabulary import Interface

T = TypeVar("T")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RequestBody(BaseModel):
    """The JSON body of a write route: a field it does not take is refused, and the document
    says so (`additionalProperties: false`), so no client sends one believing it counts."""

    model_config = ConfigDict(extra="forbid")


STORABLE_TEXT: JsonDict = {"pattern": "^[^\\u0000]*$"}
"""JSON Schema of text any database stores: no NUL (api/services/unstorable.py refuses it on
every route). Lone surrogates are refused too, but need no pattern: they are not Unicode text,
so no JSON Schema string holds one (and a surrogate range is a pattern Rust's and other regex
engines cannot compile, which made schemathesis drop the whole pattern)."""


SLUG_PATTERN = r"^[a-z0-9][a-z0-9.\-]*$"
"""How every slug is spelled: lower-case letters, digits, `.` and `-`, not starting with a
mark. A well-spelled slug naming no row is a 404 (or, in a filter, matches nothing)."""
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=120)]


class ErrorProblem(BaseModel):
    message: str
    location: str | None = None
    field: str | None = None
    value: str | int | float | None = None


class PageMeta(BaseModel):
    count: int = Field(description="Items matching the filter, across all pages.")
    per_page: int = Field(description="Page size used.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    next: str | None = Field(description="URL of the next page, or null on the last.")
    warnings: list[ErrorProblem] = Field(
        default_factory=list,
        description="What the request asked that matched nothing: a filter slug naming no row "
        "(with the closest known ones).",
    )


class GroupOut(BaseModel):
    key: str | int | float | bool | None = Field(
        description="The field's value (a slug for a related entity); null for rows without one."
    )
    count: int = Field(description="Rows of the filtered list with this value.")


class GroupsOut(BaseModel):
    count: int = Field(description="Distinct values of the field in the filtered list.")
    top: list[GroupOut] = Field(description="The most frequent values, up to `per_page`.")


class ListPage(BaseModel, Generic[T]):
    results: list[T]
    meta: PageMeta
    groups: dict[str, GroupsOut] = Field(
        default_factory=dict,
        description="With `group_by`: counts by each field asked for, under the same filter.",
    )


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str
    problems: list[ErrorProblem]


class ErrorResponse(BaseModel):
    error: ErrorBody


def rest_model(view: View, name: str) -> type[Out]:
    """The REST model of an entity, from its view: attributes in REST spelling, then the
    references (nested models for references to another entity's view)."""
    fields: dict[str, Any] = {}
    for attr in view.attrs:
        fields[attr.spelling(Interface.REST)] = (attr.type, Field(description=attr.description))
    for ref in view.refs:
        ref_type = ref.type
        if isinstance(ref_type, View):
            ref_type = _MODELS[ref_type] | None
        fields[ref.name] = (ref_type, Field(description=ref.description))
    model = create_model(name, __base__=Out, **fields)
    _MODELS[view] = model
    return model


_MODELS: dict[View, type[Out]] = {}


def model_of(view: View) -> type[Out]:
    return _MODELS[view]


SourceOut = rest_model(provenance.SOURCE, "SourceOut")
OrganizationOut = rest_model(engines.ORGANIZATION, "OrganizationOut")
EngineOut = rest_model(engines.ENGINE, "EngineOut")
CategoryOut = rest_model(techniques.CATEGORY, "CategoryOut")
TechniqueOut = rest_model(techniques.TECHNIQUE, "TechniqueOut")
FeatureOut = rest_model(techniques.FEATURE, "FeatureOut")
PaperOut = rest_model(literature.PAPER, "PaperOut")
CitationOut = rest_model(literature.CITATION, "CitationOut")
EnginePaperOut = rest_model(literature.ENGINE_PAPER, "EnginePaperOut")
SupportOut = rest_model(support.SUPPORT_VIEWS[support.FactKind.FEATURE], "SupportOut")
for _kind, _view in support.SUPPORT_VIEWS.items():
    _MODELS[_view] = SupportOut
PlatformOut = rest_model(hardware.PLATFORM, "PlatformOut")
DeviceOut = rest_model(hardware.DEVICE, "DeviceOut")
PrecisionOut = rest_model(hardware.PRECISION, "PrecisionOut")
ModelOut = rest_model(market.MODEL, "ModelOut")
ModelPriceOut = rest_model(market.MODEL_PRICE, "ModelPriceOut")
DevicePriceOut = rest_model(market.DEVICE_PRICE, "DevicePriceOut")
BenchmarkRunOut = rest_model(benchmarks.RUN, "BenchmarkRunOut")


class RequirementOut(Out):
    kind: str
    slug: str


class RequirementMatchOut(Out):
    engine: str
    engine_name: str
    score: float = Field(description="Share of requirements met, 0 to 1.")
    met: list[RequirementOut]
    missing: list[RequirementOut]
    unknown: list[RequirementOut]


class SearchHitOut(Out):
    kind: str = Field(description="`engine`, `technique` or `paper`.")
    id: str = Field(description="Engine or technique slug, or paper key.")
    title: str | None
    score: float


class SuggestionOut(Out):
    kind: str = Field(description="`engine`, `technique`, `feature`, `category` or `paper`.")
    id: str = Field(description="Slug, or a paper's BibTeX key.")
    name: str = Field(description="The name (a paper's title) that matched the prefix.")


class TableOut(Out):
    name: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str]


def list_page(model: type[Out]) -> Any:
    """The response model of a page of `model`s: whole items, or with `select` only the
    fields asked for."""
    item: Any = model | selected_model(model)
    return ListPage[item]


def selected_model(model: type[Out]) -> type[BaseModel]:
    """`model` with every field optional and nothing else allowed: an item under `select`."""
    found = _SELECTED.get(model)
    if found is None:
        fields: dict[str, Any] = {
            name: (_optional(info.annotation), Field(default=None, description=info.description))
            for name, info in model.model_fields.items()
        }
        found = create_model(
            f"{model.__name__}Selected",
            __config__=ConfigDict(extra="forbid"),
            **fields,
        )
        _SELECTED[model] = found
    return found


_SELECTED: dict[type[Out], type[BaseModel]] = {}


def _optional(annotation: Any) -> Any:
    return annotation | None


def list_of(model: type[Out]) -> Any:
    """The response model of a plain list of `model`s."""
    return list[model]  # type: ignore[valid-type]
