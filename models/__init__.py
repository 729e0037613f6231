"""Table definitions. Nothing here opens a database."""

from models.access import ApiToken, TokenScope
from models.base import metadata
from models.benchmarks import BenchmarkRun, DeviceAlias, ModelAlias, ReviewStatus, RunReview
from models.catalog import Engine, EngineAlias, Organization
from models.hardware import Device, Platform, PlatformExample, Precision
from models.ingest import IngestRun, PaperChange, TechniqueLink
from models.literature import Author, EnginePaper, Paper, PaperAuthor, TechniqueCitation
from models.market import DevicePrice, LLMModel, ModelPrice
from models.provenance import LayoutEntry, Source
from models.support import FeatureSupport, PlatformSupport, PrecisionSupport
from models.techniques import (
    FeatureMember,
    OptimizationFeature,
    Technique,
    TechniqueAlias,
    TechniqueCategory,
)

__all__ = [
    "ApiToken",
    "Author",
    "BenchmarkRun",
    "Device",
    "DeviceAlias",
    "DevicePrice",
    "Engine",
    "EngineAlias",
    "EnginePaper",
    "FeatureMember",
    "FeatureSupport",
    "IngestRun",
    "LLMModel",
    "LayoutEntry",
    "ModelAlias",
    "ModelPrice",
    "OptimizationFeature",
    "Organization",
    "Paper",
    "PaperAuthor",
    "PaperChange",
    "Platform",
    "PlatformExample",
    "PlatformSupport",
    "Precision",
    "PrecisionSupport",
    "ReviewStatus",
    "RunReview",
    "Source",
    "Technique",
    "TechniqueAlias",
    "TechniqueCategory",
    "TechniqueCitation",
    "TechniqueLink",
    "TokenScope",
    "metadata",
]
