"""Evaluate the project's configuration side by side with Rasa's default one (`make eval`).

For each configuration it trains a model on the same data, then measures on the same held-out files:
intent and response-selection precision/recall/F1 (`rasa test nlu`), topic top-1 and top-3 accuracy
through the real server, warning-sign recall and false-alarm rate on tests/red_flag_cases.yml, and the
share of medical turns that end with the doctor prompt. Writes results/eval.md, results/eval.json and
results/topic_confusion_<config>.png.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.training import CONFIGURATIONS, RASA, WORK, run, train  # noqa: E402
from tests.e2e import servers  # noqa: E402
from tests.expectations import DOCTOR_PROMPTS  # noqa: E402

RESULTS = ROOT / "results"
# Held-out phrasings, never trained on: every intent (heldout_intents.yml) and every topic.
HELDOUT_DIR = ROOT / "tests" / "nlu"
HELDOUT = HELDOUT_DIR / "heldout_topics.yml"
CASES = ROOT / "tests" / "red_flag_cases.yml"


def nlu_report(name: str, model: Path) -> dict:
    out = WORK / name / "nlu"
    run(
        [RASA, "test", "nlu", "--model", str(model), "--nlu", str(HELDOUT_DIR), "--out", str(out)],
        WORK / name / "test_nlu.log",
    )
    reports = {"intent": out / "intent_report.json", "response_selection": out / "response_selection_report.json"}
    # Entities come from whichever extractor the configuration has: the project's entity ruler
    # (SpacyEntityExtractor) or the default's DIETClassifier.
    for path in sorted(out.glob("*_report.json")):
        if path.name.endswith(("Extractor_report.json", "DIETClassifier_report.json")):
            reports["entity"] = path
    report = {}
    for kind, path in reports.items():
        if path.exists():
            scores = json.loads(path.read_text())
            # Entity reports without any predicted or expected entity have no averages.
            average = scores.get("weighted avg") or scores.get("micro avg") or {}
            report[kind] = {k: round(average.get(k, 0.0), 3) for k in ("precision", "recall", "f1-score")}
            report[kind]["source"] = path.name
        else:
            report[kind] = {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "source": "no report"}
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


def entity_cell(result: dict) -> str:
    entity = result["nlu"]["entity"]
    if entity["source"] == "no report":
        return "no entities extracted"
    return "{precision} / {recall} / {f1-score}".format(**entity)


def markdown(results: dict) -> str:
    names = list(results)
    rows = [
        ("training time (s)", lambda r: f"{r['training_seconds']:.0f}"),
        ("intent F1 (`rasa test nlu`, weighted)", lambda r: r["nlu"]["intent"]["f1-score"]),
        ("entity precision / recall / F1", entity_cell),
        ("topic (response selection) F1", lambda r: r["nlu"]["response_selection"]["f1-score"]),
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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse-models", action="store_true", help="use models trained by an earlier run")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in CONFIGURATIONS:
        print(f"[{name}] training ...", flush=True)
        model, seconds = train(name, reuse=args.reuse_models)
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
