"""Table definitions. Nothing here opens a database."""

from models.access import ApiToken, TokenScope
from models.base import metadata
from models.benchmarks import BenchmarkRun, DeviceAlias, ModelAlias, ReviewStatus, RunReview
from models.catalog import Engine, EngineAlias, Organization
from models.hardware import Device, Platform, PlatformExample, Precision
from models.history import FactAction, FactChange, SourceVersion
from models.ingest import IngestEntry, IngestRun, PaperChange, PaperConflict, TechniqueLink
from models.literature import (
    AliasKind,
    Author,
    CategoryPaper,
    EnginePaper,
    Paper,
    PaperAlias,
    PaperAuthor,
    PaperMerge,
    TechniqueCitation,
)
from models.market import DevicePrice, LLMModel, ModelPrice
from models.provenance import LayoutEntry, Source
from models.support import FeatureSupport, PlatformSupport, PrecisionSupport
from models.sync import SurveyReview
from models.techniques import (
    FeatureMember,
    OptimizationFeature,
    Technique,
    TechniqueAlias,
    TechniqueCategory,
)

__all__ = [
    "AliasKind",
    "ApiToken",
    "Author",
    "BenchmarkRun",
    "CategoryPaper",
    "Device",
    "DeviceAlias",
    "DevicePrice",
    "Engine",
    "EngineAlias",
    "EnginePaper",
    "FactAction",
    "FactChange",
    "FeatureMember",
    "FeatureSupport",
    "IngestEntry",
    "IngestRun",
    "LLMModel",
    "LayoutEntry",
    "ModelAlias",
    "ModelPrice",
    "OptimizationFeature",
    "Organization",
    "Paper",
    "PaperAlias",
    "PaperAuthor",
    "PaperChange",
    "PaperConflict",
    "PaperMerge",
    "Platform",
    "PlatformExample",
    "PlatformSupport",
    "Precision",
    "PrecisionSupport",
    "ReviewStatus",
    "RunReview",
    "Source",
    "SourceVersion",
    "SurveyReview",
    "Technique",
    "TechniqueAlias",
    "TechniqueCategory",
    "TechniqueCitation",
    "TechniqueLink",
    "TokenScope",
    "metadata",
]
