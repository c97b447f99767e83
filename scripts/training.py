"""The two configurations that `make eval` and `make bench` compare, and how both are trained.

Both are trained on the same data (data/ and the generated build/rasa/) with the same domain, into
build/compare/<name>/, from scratch (`--force`), and the training time is recorded beside the model so
that `--reuse-models` can report it without training again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
WORK = ROOT / "build" / "compare"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}

# What `rasa init` trains with when config.yml leaves pipeline and policies empty (Rasa 3.6 autoconfig).
RASA_DEFAULT_CONFIG = {
    "recipe": "default.v1",
    "language": "en",
    "assistant_id": "rasa-default-for-comparison",
    "pipeline": [
        {"name": "WhitespaceTokenizer"},
        {"name": "RegexFeaturizer"},
        {"name": "LexicalSyntacticFeaturizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True},
        {"name": "EntitySynonymMapper"},
        {"name": "ResponseSelector", "epochs": 100, "constrain_similarities": True},
        {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
    ],
    "policies": [
        {"name": "MemoizationPolicy"},
        {"name": "RulePolicy"},
        {"name": "UnexpecTEDIntentPolicy", "max_history": 5, "epochs": 100},
        {"name": "TEDPolicy", "max_history": 5, "epochs": 100, "constrain_similarities": True},
    ],
}
CONFIGURATIONS = ("project", "rasa_default")


def run(args: list[str], log: Path) -> float:
    """Run a command, logging its output; return how long it took."""
    started = time.perf_counter()
    with log.open("w") as output:
        subprocess.run(args, cwd=ROOT, env=ENV, stdout=output, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - started


def config_file(name: str) -> Path:
    if name == "project":
        return ROOT / "config.yml"
    path = WORK / "config_rasa_default.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(RASA_DEFAULT_CONFIG, sort_keys=False), encoding="utf-8")
    return path


def train(name: str, reuse: bool = False) -> tuple[Path, float]:
    """Train configuration `name` from scratch; return the model and the training time in seconds."""
    out = WORK / name
    out.mkdir(parents=True, exist_ok=True)
    model, record = out / f"{name}.tar.gz", out / "training.json"
    if reuse and model.exists() and record.exists():
        return model, json.loads(record.read_text())["seconds"]
    # Without --force, Rasa's training cache (.rasa/) would restore components trained earlier.
    seconds = run(
        [
            RASA, "train", "--config", str(config_file(name)), "--data", "data", "build/rasa",
            "--domain", "domain.yml", "--augmentation", "0", "--force",
            "--fixed-model-name", name, "--out", str(out),
        ],
        out / "train.log",
    )  # fmt: skip
    record.write_text(json.dumps({"seconds": round(seconds, 1)}), encoding="utf-8")
    return model, seconds
