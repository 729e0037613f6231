"""The derived six-dimension profile of engines (InferGraph's formula, not the survey's)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from api.errors import InvalidInputError, Problem
from api.rest.common import SessionDep, max_list_values
from api.rest.openapi_limits import LIST_VALUES
from api.rest.schemas import Out, Slug
from api.services import profile

router = APIRouter(tags=["engines"])


class ProfileFactOut(Out):
    kind: str = Field(
        description="`engine` (a field of the engine), `feature`, `platform`, `precision`."
    )
    target: str = Field(
        description="The engine field, or the slug of the column / platform / precision."
    )
    name: str
    value: str = Field(description="The fact as stored, or `unknown`.")
    weight: float
    credit_min: float = Field(description="What it adds on 0..1 at the least (0 when unknown).")
    credit_max: float = Field(description="What it adds on 0..1 at the most (1 when unknown).")


class ProfileScoreOut(Out):
    dimension: str
    name: str
    definition: str
    score_min: float = Field(description="The score if every unknown fact is a no (0..5).")
    score_max: float = Field(description="The score if every unknown fact is a yes (0..5).")
    facts: list[ProfileFactOut]
    missing_inputs: list[str] = Field(
        description="What the dimension should also weigh but the graph does not record."
    )


class EngineProfileOut(Out):
    engine: str
    engine_name: str
    label: str = Field(description=f"Always `{profile.LABEL}`.")
    scale_max: float
    scores: list[ProfileScoreOut]


def profile_out(p: profile.EngineProfile) -> EngineProfileOut:
    return EngineProfileOut(
        engine=p.engine_slug,
        engine_name=p.engine_name,
        label=p.label,
        scale_max=p.scale_max,
        scores=[ProfileScoreOut.model_validate(x) for x in p.scores],
    )


_DESCRIPTION = (
    f"Six scores on 0..5, {profile.LABEL} (docs/profile.md): each a weighted mean of the "
    "engine's facts; an unknown fact widens the score into `score_min`..`score_max`."
)


@router.get(
    "/engines/{slug}/profile",
    response_model=EngineProfileOut,
    summary="An engine's derived six-dimension profile",
    description=_DESCRIPTION,
)
def engine_profile(slug: str, session: SessionDep) -> Any:
    return profile_out(profile.engine_profile(session, slug))


@router.get(
    "/profiles",
    response_model=list[EngineProfileOut],
    summary="Derived six-dimension profiles of several engines",
    description=_DESCRIPTION + " `engine` repeated names the engines, in order; without it, "
    "every engine by name.",
)
def engine_profiles(
    request: Request,
    session: SessionDep,
    engine: Annotated[
        list[Slug] | None,
        Query(
            description="Engine slugs, at most `INFERGRAPH_MAX_LIST_VALUES` (default 50).",
            json_schema_extra=LIST_VALUES,
        ),
    ] = None,
) -> Any:
    slugs = engine or []
    limit = max_list_values(request)
    if len(slugs) > limit:
        raise InvalidInputError(
            f"At most {limit} engines at once.",
            [Problem(f"{len(slugs)} given", "query", "engine", len(slugs))],
        )
    found = profile.profiles_by_slugs(session, slugs) if slugs else profile.all_profiles(session)
    return [profile_out(p) for p in found]
