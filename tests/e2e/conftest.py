"""One real Rasa server and action server for the whole end-to-end session, plus the web page's server."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evaluation.servers import ROOT, RasaStack, free_port, running_stack, wait_until


@pytest.fixture(scope="session")
def web_url(tmp_path_factory) -> str:
    """The web chat page (web/), served by a static file server on a free port."""
    if not (ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js").exists():
        pytest.fail("web/node_modules is missing: run `make web-deps` (npm ci in web/)")
    port = free_port()
    log = tmp_path_factory.mktemp("web") / "http.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(ROOT / "web")],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(f"{url}/index.html", process, log)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def stack(tmp_path_factory, web_url) -> RasaStack:
    # CORS allows only the web page's origin, as `make web` does.
    with running_stack(tmp_path_factory.mktemp("rasa-stack"), cors=[web_url]) as running:
        yield running
