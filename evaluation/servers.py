"""Start the real Rasa server(s) and action server on free local ports for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "neck-pain-assistant.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")
# The Rasa server as `make serve` starts it: with the project's changes to Rasa installed.
RASA_SERVER = [sys.executable, "-m", "components.server"]
# The action server as `make serve` starts it: rasa-sdk alone, without Rasa (and TensorFlow).
ACTION_SERVER = [sys.executable, "-m", "rasa_sdk"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(url: str, process: subprocess.Popen, log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s:\n{log.read_text()[-3000:]}")


def project_endpoints(workdir: Path) -> dict:
    """The project's endpoints.yml, with its SQLite conversation file moved into `workdir`."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    if endpoints.get("tracker_store", {}).get("dialect") == "sqlite":
        endpoints["tracker_store"]["db"] = str(workdir / "conversations.db")
    return endpoints


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (Rasa's own shutdown), SIGKILL if it hangs."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class RasaStack:
    """A running action server and `rasa_servers` Rasa servers sharing it; `url` is the first server's URL.

    By default the servers use the project's endpoints.yml with the SQLite file in `workdir`;
    `endpoints_file` is used as it is instead, with ACTION_SERVER_URL set to this stack's action server.
    Servers can be stopped and started again on the same port.
    """

    def __init__(
        self,
        workdir: Path,
        credentials: Path | None = None,
        extra_env: dict | None = None,
        cors: list[str] | None = None,
        endpoints_file: Path | None = None,
        rasa_servers: int = 1,
    ) -> None:
        self.workdir = workdir
        self.cors = cors or []
        self.credentials = credentials or ROOT / "credentials.yml"
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
        self.endpoints_file = endpoints_file
        self.processes: list[subprocess.Popen] = []
        self.actions: subprocess.Popen | None = None
        self.actions_log = "actions"
        self.actions_port = free_port()
        self.env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        self.rasa_ports = [free_port() for _ in range(rasa_servers)]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.rasa_ports]
        self.url = self.urls[0]
        self.rasa_processes: dict[int, subprocess.Popen] = {}
        self.rasa_logs: dict[int, str] = {}
        self._starts = 0
        # Rasa's HTTP API (trackers, parsing) answers only with this token, as `make serve` runs it.
        self.auth_token = secrets.token_urlsafe(16)

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def _endpoints_file(self) -> Path:
        if self.endpoints_file:
            return self.endpoints_file
        endpoints = {**project_endpoints(self.workdir), "action_endpoint": {"url": self.env["ACTION_SERVER_URL"]}}
        path = self.workdir / "endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
        return path

    def start_rasa(self, server: int = 0) -> subprocess.Popen:
        """Start Rasa server number `server` (again) and wait until it answers."""
        self._starts += 1
        # The first server's first start logs to rasa.log; every other start gets its own log.
        name = "rasa" if self._starts == 1 else f"rasa-{server}-start-{self._starts}"
        self.rasa_logs[server] = name
        process = self._start(
            name,
            [
                *RASA_SERVER,
                "run",
                "--enable-api",
                # One argument: a token starting with "-" would be read as an option.
                f"--auth-token={self.auth_token}",
                "--model",
                str(MODEL),
                "--endpoints",
                str(self._endpoints_file()),
                "--credentials",
                str(self.credentials),
                "--port",
                str(self.rasa_ports[server]),
                "--interface",
                "127.0.0.1",
                *(["--cors", *self.cors] if self.cors else []),
            ],
        )
        self.rasa_processes[server] = process
        return process

    def wait_for_rasa(self, server: int = 0) -> None:
        process = self.rasa_processes[server]
        status = f"{self.urls[server]}/status?token={self.auth_token}"
        wait_until(status, process, self.workdir / f"{self.rasa_logs[server]}.log")

    def stop_rasa(self, server: int = 0) -> None:
        stop_process(self.rasa_processes[server])

    def start_actions(self, wait: bool = True) -> subprocess.Popen:
        """Start the action server (again, on the same port)."""
        self.actions_log = "actions" if self.actions is None else f"actions-{len(self.processes)}"
        self.actions = self._start(
            self.actions_log, [*ACTION_SERVER, "--actions", "actions", "--port", str(self.actions_port)]
        )
        if wait:
            self.wait_for_actions()
        return self.actions

    def wait_for_actions(self) -> None:
        health = f"http://127.0.0.1:{self.actions_port}/health"
        wait_until(health, self.actions, self.workdir / f"{self.actions_log}.log")

    def start(self) -> RasaStack:
        # Both servers load at the same time; then wait for each.
        self.start_actions(wait=False)
        for server in range(len(self.rasa_ports)):
            self.start_rasa(server)
        self.wait_for_actions()
        for server in range(len(self.rasa_ports)):
            self.wait_for_rasa(server)
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            stop_process(process)

    def send(self, sender: str, message: str, server: int = 0) -> list[dict]:
        response = requests.post(
            f"{self.urls[server]}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def api(self, method: str, path: str, server: int = 0, **kwargs) -> requests.Response:
        """A call to Rasa's HTTP API with this stack's token."""
        return requests.request(
            method, f"{self.urls[server]}{path}", params={"token": self.auth_token}, timeout=30, **kwargs
        )

    def tracker(self, sender: str, server: int = 0) -> dict:
        response = self.api("GET", f"/conversations/{sender}/tracker", server)
        response.raise_for_status()
        return response.json()


@contextmanager
def running_stack(workdir: Path, **kwargs) -> Iterator[RasaStack]:
    if not MODEL.exists():
        raise FileNotFoundError(f"{MODEL} is missing: run `make train` first")
    stack = RasaStack(workdir, **kwargs)
    try:
        yield stack.start()
    finally:
        stack.stop()
