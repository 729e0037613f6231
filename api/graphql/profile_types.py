"""GraphQL types of the derived six-dimension profile (InferGraph's formula, not the survey's)."""

from __future__ import annotations

import strawberry

from api.services import profile


@strawberry.type(description="One fact counted towards a profile score and what it adds.")
class ProfileFact:
    kind: str = strawberry.field(
        description="`engine` (a field of the engine), `feature`, `platform` or `precision`."
    )
    target: str = strawberry.field(
        description="The engine field, or the slug of the column, platform or precision."
    )
    name: str = strawberry.field(description="What the fact is, in words.")
    value: str = strawberry.field(description="The fact as stored, or `unknown`.")
    weight: float = strawberry.field(description="How much it counts within its dimension.")
    credit_min: float = strawberry.field(description="Its value on 0..1; 0 when unknown.")
    credit_max: float = strawberry.field(description="Its value on 0..1; 1 when unknown.")


@strawberry.type(description="One dimension's score on 0..5: a range when facts are unknown.")
class ProfileScore:
    dimension: str = strawberry.field(
        description="`general_purpose`, `ease_of_use`, `ease_of_deployment`, "
        "`latency_awareness`, `throughput_awareness` or `scalability`."
    )
    name: str = strawberry.field(description="The dimension's name, e.g. `Ease of use`.")
    definition: str = strawberry.field(description="What the dimension measures here.")
    score_min: float = strawberry.field(description="The score if every unknown fact is a no.")
    score_max: float = strawberry.field(description="The score if every unknown fact is a yes.")
    facts: list[ProfileFact] = strawberry.field(description="Every fact counted, known or not.")
    missing_inputs: list[str] = strawberry.field(
        description="What the dimension should also weigh but the graph does not record."
    )


@strawberry.type(
    description=f"Six scores {profile.LABEL} (docs/profile.md), each a weighted mean of facts."
)
class EngineProfile:
    label: str = strawberry.field(description=f"Always `{profile.LABEL}`.")
    scale_max: float = strawberry.field(description="The top of the scale (5).")
    scores: list[ProfileScore] = strawberry.field(description="The six scores, in order.")


def profile_type(p: profile.EngineProfile) -> EngineProfile:
    return EngineProfile(
        label=p.label,
        scale_max=p.scale_max,
        scores=[
            ProfileScore(
                dimension=x.dimension.value,
                name=x.name,
                definition=x.definition,
                score_min=x.score_min,
                score_max=x.score_max,
                facts=[
                    ProfileFact(
                        kind=f.kind,
                        target=f.target,
                        name=f.name,
                        value=f.value,
                        weight=f.weight,
                        credit_min=f.credit_min,
                        credit_max=f.credit_max,
                    )
                    for f in x.facts
                ],
                missing_inputs=list(x.missing_inputs),
            )
            for x in p.scores
        ],
    )
