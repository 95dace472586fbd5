#!/usr/bin/env python3
"""Back up or restore the database named by DATABASE_URL, with the uploaded files.

    scripts/backup.py backup [DIR]      # writes DIR/talentportal-<time>/ (default DIR: backups/)
    scripts/backup.py restore BACKUP    # a folder written by `backup`, into DATABASE_URL

PostgreSQL: pg_dump's custom format, restored with pg_restore (--clean, so a restore replaces what
the target holds; the target database must exist). SQLite: a consistent copy through SQLite's
backup API (safe while the site runs). Uploaded files (MEDIA_ROOT: evidence, job files) are
copied beside the database. Plain standard library plus the PostgreSQL client tools.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'db.sqlite3'}"


def database() -> tuple[str, str]:
    """("postgres", url) or ("sqlite", path) from DATABASE_URL."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        return "postgres", url.replace("pgsql://", "postgresql://", 1)
    if parsed.scheme == "sqlite":  # read as dj-database-url does: sqlite:///relative, ////absolute
        return "sqlite", str(Path(unquote(parsed.path[1:])).resolve())
    sys.exit(f"backup: unsupported DATABASE_URL scheme {parsed.scheme!r}")


def media_root() -> Path:
    return Path(os.environ.get("MEDIA_ROOT") or ROOT / "media")


def pg_env(url: str) -> dict:
    """The connection as PG* variables, so no password shows in the process list."""
    parsed = urlparse(url)
    found = {
        "PGHOST": parsed.hostname,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": unquote(parsed.username) if parsed.username else None,
        "PGPASSWORD": unquote(parsed.password) if parsed.password else None,
        "PGDATABASE": unquote(parsed.path.lstrip("/")),
    }
    return {**os.environ, **{key: value for key, value in found.items() if value}}


def client(name: str) -> str:
    """A PostgreSQL client program's full path (Debian: the postgresql-client package)."""
    path = shutil.which(name)
    if path is None:
        sys.exit(f"backup: {name} not found; install PostgreSQL's client tools")
    return path


def sqlite_copy(source: str, target: str) -> None:
    """SQLite's online backup; the source is opened read-only, so a wrong path fails loudly."""
    with (
        sqlite3.connect(f"{Path(source).as_uri()}?mode=ro", uri=True) as src,
        sqlite3.connect(target) as dst,
    ):
        src.backup(dst)


def backup(directory: Path) -> Path:
    kind, where = database()
    folder = directory / f"talentportal-{datetime.now():%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True)
    if kind == "postgres":
        dump = ["--format=custom", "--no-owner", f"--file={folder / 'db.dump'}"]
        subprocess.run([client("pg_dump"), *dump], env=pg_env(where), check=True)  # noqa: S603
    else:
        sqlite_copy(where, str(folder / "db.sqlite3"))
    if media_root().is_dir():
        shutil.copytree(media_root(), folder / "media")
    return folder


def restore(folder: Path) -> None:
    kind, where = database()
    if kind == "postgres":
        # --clean: what the target holds is replaced; one transaction: all of it or nothing.
        options = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
        dump = [f"--dbname={pg_env(where)['PGDATABASE']}", str(folder / "db.dump")]
        subprocess.run(  # noqa: S603 - PostgreSQL's client; the connection comes by environment
            [client("pg_restore"), *options, *dump], env=pg_env(where), check=True
        )
    else:
        sqlite_copy(str(folder / "db.sqlite3"), where)
    if (folder / "media").is_dir():
        shutil.copytree(folder / "media", media_root(), dirs_exist_ok=True)


def main(argv: list[str]) -> None:
    if len(argv) >= 1 and argv[0] == "backup":
        print(backup(Path(argv[1]) if len(argv) > 1 else ROOT / "backups"))
    elif len(argv) == 2 and argv[0] == "restore":
        restore(Path(argv[1]))
        print(f"restored {argv[1]}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
