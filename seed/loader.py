"""`infergraph seed`: validate the survey seed, then write it in one transaction."""

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from api.db import session_scope, upgrade_database
from seed import DATA_DIR, REFERENCES_BIB
from seed.survey_files import read_survey_seed
from seed.survey_writer import write_survey_seed
from seed.sync import SyncReport


@dataclass(frozen=True)
class SeedResult:
    tables: dict[str, SyncReport]

    @property
    def total(self) -> SyncReport:
        total = SyncReport()
        for report in self.tables.values():
            total += report
        return total


def seed_database(
    engine: sa.Engine, data_dir: Path = DATA_DIR, bibtex_path: Path = REFERENCES_BIB
) -> SeedResult:
    """Upgrade the schema, then make the database hold the seed. Raises before writing on
    any invalid input; a failure while writing rolls the whole transaction back."""
    seed = read_survey_seed(data_dir, bibtex_path)
    upgrade_database(engine)
    with session_scope(engine) as session:
        return SeedResult(write_survey_seed(session, seed))
