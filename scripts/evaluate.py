"""Evaluate the project's configuration side by side with Rasa's default one (`make eval`).

For each configuration it trains a model on the same data, then measures on the same held-out files:
intent and response-selection precision/recall/F1 (`rasa test nlu`), topic top-1 and top-3 accuracy
through the real server, warning-sign recall and false-alarm rate on tests/red_flag_cases.yml, and the
share of medical turns that end with the doctor prompt. Writes results/eval.md, results/eval.json and
results/topic_confusion_<config>.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402
from tests.expectations import DOCTOR_PROMPTS  # noqa: E402

RASA = str(Path(sys.executable).parent / "rasa")
WORK = ROOT / "build" / "eval"
RESULTS = ROOT / "results"
HELDOUT = ROOT / "tests" / "nlu" / "heldout_topics.yml"
CASES = ROOT / "tests" / "red_flag_cases.yml"

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
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def run(args: list[str], log: Path) -> float:
    """Run a command, logging its output; return how long it took."""
    started = time.perf_counter()
    with log.open("w") as output:
        subprocess.run(args, cwd=ROOT, env=ENV, stdout=output, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - started


def train(name: str, config: Path) -> tuple[Path, float]:
    out = WORK / name
    out.mkdir(parents=True, exist_ok=True)
    seconds = run(
        [
            RASA,
            "train",
            "--config",
            str(config),
            "--data",
            "data",
            "build/rasa",
            "--domain",
            "domain.yml",
            "--augmentation",
            "0",
            "--force",
            "--fixed-model-name",
            name,
            "--out",
            str(out),
        ],
        out / "train.log",
    )
    return out / f"{name}.tar.gz", seconds


def nlu_report(name: str, model: Path) -> dict:
    out = WORK / name / "nlu"
    run(
        [RASA, "test", "nlu", "--model", str(model), "--nlu", str(HELDOUT), "--out", str(out)],
        WORK / name / "test_nlu.log",
    )
    report = {}
    for kind, file in (
        ("intent", "intent_report.json"),
        ("response_selection", "response_selection_report.json"),
        ("entity", "DIETClassifier_report.json"),
    ):
        path = out / file
        if path.exists():
            average = json.loads(path.read_text()).get("weighted avg", {})
            report[kind] = {k: round(average.get(k, 0.0), 3) for k in ("precision", "recall", "f1-score")}
    return report


def heldout() -> list[tuple[str, str]]:
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    return [
        (block["intent"].split("/", 1)[1], line.strip()[2:])
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def through_server(name: str, model: Path) -> dict:
    servers.MODEL = model
    with servers.running_stack(WORK / name) as stack:
        top1 = top3 = doctor = 0
        confusion: Counter = Counter()
        examples = heldout()
        for expected, text in examples:
            sender = f"eval-{uuid.uuid4().hex}"
            replies = stack.send(sender, text)
            topics = stack.tracker(sender)["slots"]["topics"] or []
            top1 += topics[:1] == [expected]
            top3 += expected in topics[:3]
            doctor += bool(replies) and replies[-1].get("text") in DOCTOR_PROMPTS
            confusion[(expected, topics[0] if topics else "(none)")] += 1

        cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]
        flagged = Counter()
        for case in cases:
            sender = f"eval-{uuid.uuid4().hex}"
            stack.send(sender, case["text"])
            got = stack.tracker(sender)["slots"].get("urgency") or "routine"
            flagged[(case["urgency"], got)] += 1
    signs = [c for c in cases if c["urgency"] != "routine"]
    routine = [c for c in cases if c["urgency"] == "routine"]
    recalled = sum(n for (want, got), n in flagged.items() if want != "routine" and got == want)
    false_alarms = sum(n for (want, got), n in flagged.items() if want == "routine" and got != "routine")
    return {
        "topic_top1": round(top1 / len(examples), 3),
        "topic_top3": round(top3 / len(examples), 3),
        "doctor_prompt_share": round(doctor / len(examples), 3),
        "warning_sign_recall": round(recalled / len(signs), 3),
        "warning_sign_false_alarm_rate": round(false_alarms / len(routine), 3),
        "confusion": {f"{want} -> {got}": n for (want, got), n in sorted(confusion.items())},
    }


def plot_confusion(name: str, confusion: dict) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = [key.split(" -> ") for key in confusion]
    labels = sorted({want for want, _ in pairs} | {got for _, got in pairs})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for key, count in confusion.items():
        want, got = key.split(" -> ")
        matrix[index[want]][index[got]] = count
    figure, axes = plt.subplots(figsize=(9, 8))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=70, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("best topic found")
    axes.set_ylabel("expected topic (held-out phrasing)")
    for row, values in enumerate(matrix):
        for column, value in enumerate(values):
            if value:
                axes.text(column, row, value, ha="center", va="center", fontsize=7)
    axes.set_title(f"Topics on the held-out phrasings: {name}")
    figure.tight_layout()
    path = RESULTS / f"topic_confusion_{name}.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def markdown(results: dict) -> str:
    names = list(results)
    rows = [
        ("training time (s)", lambda r: f"{r['training_seconds']:.0f}"),
        ("topic (response selection) F1", lambda r: r["nlu"].get("response_selection", {}).get("f1-score", "n/a")),
        ("topic top-1 through the server", lambda r: f"{r['server']['topic_top1']:.1%}"),
        ("topic top-3 through the server", lambda r: f"{r['server']['topic_top3']:.1%}"),
        ("warning-sign recall", lambda r: f"{r['server']['warning_sign_recall']:.1%}"),
        ("warning-sign false-alarm rate", lambda r: f"{r['server']['warning_sign_false_alarm_rate']:.1%}"),
        ("medical turns ending with the doctor prompt", lambda r: f"{r['server']['doctor_prompt_share']:.1%}"),
    ]
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {label} | " + " | ".join(str(cell(results[n])) for n in names) + " |" for label, cell in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    default_config = WORK / "config_rasa_default.yml"
    default_config.write_text(yaml.safe_dump(RASA_DEFAULT_CONFIG, sort_keys=False), encoding="utf-8")
    results = {}
    for name, config in (("project", ROOT / "config.yml"), ("rasa_default", default_config)):
        print(f"[{name}] training ...", flush=True)
        model, seconds = train(name, config)
        print(f"[{name}] trained in {seconds:.0f} s; rasa test nlu ...", flush=True)
        nlu = nlu_report(name, model)
        print(f"[{name}] through the server ...", flush=True)
        server = through_server(name, model)
        plot_confusion(name, server["confusion"])
        results[name] = {"training_seconds": round(seconds, 1), "nlu": nlu, "server": server}
    (RESULTS / "eval.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    table = markdown(results)
    (RESULTS / "eval.md").write_text("# Evaluation: project vs Rasa's default configuration\n\n" + table)
    print(table)


if __name__ == "__main__":
    main()
