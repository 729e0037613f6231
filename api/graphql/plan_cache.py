"""Compiled plans kept per document, so a document is compiled once, not once per request.

Field collection, and with it every plan, depends on the values of the variables that
`@skip`/`@include` read; those values are part of the key. Everything else a request varies
(arguments such as `first: $n`) is read when the plan runs.
"""

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from graphql import DirectiveNode, DocumentNode, VariableNode
from graphql.language import visit
from graphql.language.visitor import Visitor

from api.graphql.compiled import ObjectPlan

MAX_DOCUMENTS = 256
MAX_VARIANTS = 16
"""Directive-variable combinations kept per document (each compiles its own plans)."""

PlanKey = tuple[Any, ...]


@dataclass
class DocumentPlans:
    document: DocumentNode
    directive_variables: tuple[str, ...]
    variants: dict[tuple[Any, ...], dict[PlanKey, ObjectPlan | None]] = field(default_factory=dict)

    def for_variables(self, variables: Any) -> dict[PlanKey, ObjectPlan | None]:
        """The plans (None where a selection is not covered) for these directive values;
        `variables` are graphql-core's coerced values."""
        coerced = variables.coerced if variables is not None else {}
        values = tuple(repr(coerced.get(name)) for name in self.directive_variables)
        plans = self.variants.get(values)
        if plans is None:
            if len(self.variants) >= MAX_VARIANTS:
                self.variants.clear()
            plans = self.variants[values] = {}
        return plans


class PlanCache:
    """Bounded, least recently used first out; shared by the server's threads."""

    def __init__(self, size: int = MAX_DOCUMENTS) -> None:
        self._size = size
        self._documents: OrderedDict[Hashable, DocumentPlans] = OrderedDict()
        self._lock = Lock()

    def plans(
        self, key: Hashable | None, document: DocumentNode, variables: Any
    ) -> dict[PlanKey, ObjectPlan | None]:
        if key is None:  # a caller without a document key: plans for this request only
            return DocumentPlans(document, directive_variables(document)).for_variables(variables)
        with self._lock:
            found = self._documents.get(key)
            # Plans name the document's nodes: a document parsed again compiles again.
            if found is None or found.document is not document:
                found = self._documents[key] = DocumentPlans(
                    document, directive_variables(document)
                )
            self._documents.move_to_end(key)
            while len(self._documents) > self._size:
                self._documents.popitem(last=False)
            return found.for_variables(variables)

    def cached(self, key: Hashable) -> list[list[ObjectPlan | None]]:
        """The plans kept for a document key, one list per directive variant (to inspect)."""
        with self._lock:
            found = self._documents.get(key)
            return [] if found is None else [list(v.values()) for v in found.variants.values()]


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables any `@skip`/`@include` of the document reads."""

    class Finder(Visitor):
        def __init__(self) -> None:
            super().__init__()
            self.names: dict[str, None] = {}

        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            if node.name.value not in ("skip", "include"):
                return
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    self.names[argument.value.name.value] = None

    finder = Finder()
    visit(document, finder)
    return tuple(finder.names)
