"""Readers of the sources ingest (and the survey seed) take in: arXiv API Atom feeds, the
arXiv client that fetches them, and BibTeX files. They parse and validate; they never touch
the database.
"""
