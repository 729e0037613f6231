"""A private PostgreSQL cluster that a test may stop and start at will.

The shared server on 5432 serves every other test running on the machine and must never be
restarted; this one lives in a temporary directory, listens on a free loopback port, and is
removed afterwards. PostgreSQL refuses to run as root, so as root the binaries run as the
`postgres` user.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.live_server import free_port


def find_binaries() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`, or None."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def unavailable_reason() -> str | None:
    """Why no private cluster can be started here, or None when one can."""
    if find_binaries() is None:
        return "initdb and pg_ctl are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
    return None


class PrivateCluster:
    def __init__(self) -> None:
        binaries = find_binaries()
        assert binaries is not None, unavailable_reason()
        self._bin = binaries
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="infergraph-pg-"))
        self._data = self.directory / "data"
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self, *, durable_commits: bool = False) -> None:
        """Start and wait until it accepts connections. Commits are asynchronous for speed,
        unless `durable_commits`: a replica can only be sent what the primary has flushed."""
        commits = "" if durable_commits else " -c synchronous_commit=off"
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.directory} "
            f"-c fsync=off{commits} -c full_page_writes=off"
        )
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-D", str(self._data), "-l", log, "-o", options, "-w", "start")

    def copy_as_standby(self, standby: "PrivateCluster") -> None:
        """Make `standby` (not initialised) a streaming replica of this running cluster:
        `pg_basebackup -R` writes its `standby.signal` and `primary_conninfo`; initdb's
        pg_hba already lets local replication connections in."""
        self._run(
            "pg_basebackup", "-D", str(standby._data), "-R", "-X", "stream", "--no-sync",
            "--checkpoint=fast", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session at once (what a restart or failover does to clients)."""
        self._run("pg_ctl", "-D", str(self._data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self._data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *arguments: str, check: bool = True) -> None:
        subprocess.run(
            [str(self._bin / program), *arguments],
            user=self._user,
            cwd=self.directory,
            check=check,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )
