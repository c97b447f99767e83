"""The model loaded the fast way (components/speedups.py, installed by components/rasa_patches.py)
predicts exactly what Rasa's own loading does."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from evaluation.expectations import HELDOUT
from evaluation.servers import MODEL, ROOT

# Runs in a fresh process per loader, so that the two models never share TensorFlow state.
PARSE = """
import asyncio, json, sys
from components import rasa_patches
if sys.argv[1] == "fast":
    assert rasa_patches.install()
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[2])
texts = json.loads(sys.stdin.read())
async def parse():
    return [await agent.parse_message(text) for text in texts]
results = asyncio.run(parse())
# To a file, not stdout: a 130 KB line on a pipe came back cut short once.
open(sys.argv[3], "w").write(json.dumps([
    {"intents": [[i["name"], i["confidence"]] for i in r["intent_ranking"]],
     "topics": [[t["intent_response_key"], t["confidence"]] for t in r["response_selector"]["topic"]["ranking"]]}
    for r in results
]))
"""


def parse_with(loader: str, texts: list[str], workdir: Path) -> list[dict]:
    output = workdir / f"{loader}.json"
    subprocess.run(
        [sys.executable, "-c", PARSE, loader, str(MODEL), str(output)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return json.loads(output.read_text())


def test_fast_loading_predicts_exactly_what_rasa_loading_does(tmp_path):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    texts = [example.text for example in HELDOUT]
    # Side by side: each process spends most of its time loading TensorFlow and the model.
    with ThreadPoolExecutor(max_workers=2) as pool:
        rasa, fast = pool.map(lambda loader: parse_with(loader, texts, tmp_path), ("rasa", "fast"))
    assert len(rasa) == len(texts) > 200
    for text, expected, got in zip(texts, rasa, fast, strict=True):
        assert got["intents"][0][0] == expected["intents"][0][0], text
        assert got["topics"][0][0] == expected["topics"][0][0], text
        confidences = [c for _, c in got["intents"] + got["topics"]]
        assert confidences == pytest.approx([c for _, c in expected["intents"] + expected["topics"]], abs=1e-6), text
