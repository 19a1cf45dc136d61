"""A real PostgreSQL server from Debian's package, started in a temporary folder for the tests.

`initdb` + `pg_ctl` on a free port on 127.0.0.1 with a socket in the same folder. PostgreSQL refuses to
run as root, so as root the cluster belongs to the `postgres` system user (made by Debian's package).
When no server binaries exist, `PostgresUnavailable` says why and the fixture skips with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh database on this server; returns its SQLAlchemy URL."""
        import psycopg  # imported here: only the PostgreSQL tests need it

        with psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _binaries() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    raise PostgresUnavailable("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql "
                              "(make test does this as root)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    binaries = _binaries()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root and no runuser to start PostgreSQL as another user")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and no 'postgres' user to own the cluster") from None
        prefix = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="ecom-privacy-pg-"))
    data, socket_dir = folder / "data", folder / "socket"
    socket_dir.mkdir()
    password = "pg-test-" + os.urandom(8).hex()
    password_file = folder / "pwfile"
    password_file.write_text(password + "\n")
    if as_root:
        shutil.chown(folder, "postgres")
        shutil.chown(socket_dir, "postgres")
        shutil.chown(password_file, "postgres")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "ecom", "-A", "scram-sha-256",
                        f"--pwfile={password_file}", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True, env=env, timeout=120)
        options = f"-h 127.0.0.1 -p {port} -k {socket_dir} -F -c fsync=off -c full_page_writes=off"
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                        str(folder / "server.log"), "-w", "-t", "60", "start"],
                       check=True, capture_output=True, env=env, timeout=90)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
        output = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(f"PostgreSQL did not start: {output.decode(errors='replace')[-500:]} "
                                  f"{log[-500:]}") from None
    try:
        yield PostgresServer("127.0.0.1", port, "ecom", password)
    finally:
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, env=env, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
