"""Start the real Rasa server and action server on free local ports for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "neck-pain-assistant.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")


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


class RasaStack:
    """A running action server and Rasa server; `url` is the Rasa server's base URL."""

    def __init__(
        self,
        workdir: Path,
        credentials: Path | None = None,
        extra_env: dict | None = None,
        cors: list[str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.cors = cors or []
        self.credentials = credentials or ROOT / "credentials.yml"
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
        self.processes: list[subprocess.Popen] = []
        self.rasa_port = free_port()
        self.actions_port = free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"

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

    def start(self) -> RasaStack:
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n')
        actions = self._start(
            "actions", [RASA, "run", "actions", "--actions", "actions", "--port", str(self.actions_port)]
        )
        rasa = self._start(
            "rasa",
            [
                RASA,
                "run",
                "--enable-api",
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(self.credentials),
                "--port",
                str(self.rasa_port),
                "--interface",
                "127.0.0.1",
                *(["--cors", *self.cors] if self.cors else []),
            ],
        )
        wait_until(f"http://127.0.0.1:{self.actions_port}/health", actions, self.workdir / "actions.log")
        wait_until(f"{self.url}/status", rasa, self.workdir / "rasa.log")
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def send(self, sender: str, message: str) -> list[dict]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", timeout=30)
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
