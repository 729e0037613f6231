"""Seed time: a fresh database (migrations + seed), then a second, no-op seed.

python -m bench.seed [--database-url URL]   (PostgreSQL: an empty database)
"""

import argparse
import tempfile
import time
from pathlib import Path

from api.db import create_db_engine
from seed.loader import seed_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(args.database_url or f"sqlite:///{Path(folder) / 'seed.db'}")
        start = time.perf_counter()
        first = seed_database(engine)
        middle = time.perf_counter()
        second = seed_database(engine)
        end = time.perf_counter()
        print(f"database: {engine.dialect.name}")
        print(f"first seed (migrations + {first.total.inserted} rows): {middle - start:.2f} s")
        counts = f"{second.total.unchanged} unchanged, {second.total.changed} changed"
        print(f"second seed ({counts}): {end - middle:.2f} s")


if __name__ == "__main__":
    main()
