"""Seed data (the survey) and the loaders that validate and write it."""

from pathlib import Path

SEED_DIR = Path(__file__).resolve().parent
DATA_DIR = SEED_DIR / "data"
REFERENCES_BIB = SEED_DIR / "references.bib"
