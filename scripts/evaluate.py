"""Evaluate the project's configuration side by side with Rasa's default one (`make eval`).

For each configuration it trains a model on the same data, then measures on the same held-out files:
intent and response-selection precision/recall/F1 (`rasa test nlu`); through the real server, entity
precision/recall/F1, topic top-1 and top-3 accuracy, warning-sign recall and false-alarm rate on
tests/red_flag_cases.yml, and the share of medical turns that end with the doctor prompt. For the
project's model it also sends every independent warning-sign corpus through the server and prints those
figures beside the first-contact ones (tests/corpora/first_contact.yml). Writes results/eval.md,
results/eval.json and results/topic_confusion_<config>.png.
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

from evaluation import servers, warning_signs  # noqa: E402
from evaluation import topics as topic_corpus  # noqa: E402
from evaluation.expectations import DOCTOR_PROMPTS, HELDOUT, HELDOUT_DIR, RED_FLAG_CASES  # noqa: E402
from knowledge.urgency import Urgency  # noqa: E402
from scripts.training import CONFIGURATIONS, RASA, WORK, run, train  # noqa: E402

RESULTS = ROOT / "results"


def nlu_report(name: str, model: Path) -> dict:
    out = WORK / name / "nlu"
    run(
        [RASA, "test", "nlu", "--model", str(model), "--nlu", str(HELDOUT_DIR), "--out", str(out)],
        WORK / name / "test_nlu.log",
    )
    # Rasa leaves SpacyEntityExtractor out of its entity evaluation (it counts it as pretrained), so
    # entities are measured through the server instead (entity_scores).
    report = {}
    for kind in ("intent", "response_selection"):
        scores = json.loads((out / f"{kind}_report.json").read_text())["weighted avg"]
        report[kind] = {k: round(scores[k], 3) for k in ("precision", "recall", "f1-score")}
    return report


ENTITY_LABELS = ("symptom", "body_part", "treatment", "duration")


def entity_scores(stack: servers.RasaStack) -> dict:
    """Entity precision, recall and F1 over the held-out examples of every intent: same label, same words."""
    predicted_total = expected_total = correct = 0
    for example in HELDOUT:
        if example.intent.startswith("topic/"):
            continue  # heldout_topics.yml marks no entities
        expected = {(label, words.lower()) for label, words in example.entities}
        parsed = stack.api("POST", "/model/parse", json={"text": example.text}).json()
        predicted = {
            (e["entity"], e["value"].lower()) for e in parsed.get("entities", []) if e["entity"] in ENTITY_LABELS
        }
        predicted_total += len(predicted)
        expected_total += len(expected)
        correct += len(predicted & expected)
    precision = correct / predicted_total if predicted_total else 0.0
    recall = correct / expected_total if expected_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1-score": round(f1, 3),
        "predicted": predicted_total,
        "expected": expected_total,
    }


def through_server(name: str, model: Path) -> dict:
    servers.MODEL = model
    with servers.running_stack(WORK / name) as stack:
        entities = entity_scores(stack)
        top1 = top3 = doctor = 0
        confusion: Counter = Counter()
        examples = [(e.intent.split("/", 1)[1], e.text) for e in HELDOUT if e.intent.startswith("topic/")]
        for expected, text in examples:
            sender = f"eval-{uuid.uuid4().hex}"
            replies = stack.send(sender, text)
            topics = stack.tracker(sender)["slots"]["topics"] or []
            top1 += topics[:1] == [expected]
            top3 += expected in topics[:3]
            doctor += bool(replies) and replies[-1].get("text") in DOCTOR_PROMPTS
            confusion[(expected, topics[0] if topics else "(none)")] += 1

        corpora = warning_sign_corpora(stack) if name == "project" else None
        topic_scores = topic_corpora(stack) if name == "project" else None
        flagged = Counter()
        for case in RED_FLAG_CASES:
            sender = f"eval-{uuid.uuid4().hex}"
            stack.send(sender, case["text"])
            got = stack.tracker(sender)["slots"].get("urgency") or "routine"
            flagged[(case["urgency"], got)] += 1
    signs = [c for c in RED_FLAG_CASES if c["urgency"] != "routine"]
    routine = [c for c in RED_FLAG_CASES if c["urgency"] == "routine"]
    recalled = sum(n for (want, got), n in flagged.items() if want != "routine" and got == want)
    false_alarms = sum(n for (want, got), n in flagged.items() if want == "routine" and got != "routine")
    return {
        "topic_top1": round(top1 / len(examples), 3),
        "topic_top3": round(top3 / len(examples), 3),
        "doctor_prompt_share": round(doctor / len(examples), 3),
        "warning_sign_recall": round(recalled / len(signs), 3),
        "warning_sign_false_alarm_rate": round(false_alarms / len(routine), 3),
        "entities": entities,
        "confusion": {f"{want} -> {got}": n for (want, got), n in sorted(confusion.items())},
        "warning_sign_corpora": corpora,
        "topic_corpora": topic_scores,
    }


def cell(pair: list[int]) -> str:
    """hits/total (percent) for a table cell."""
    hits, total = pair
    return f"{hits}/{total} ({hits / total:.1%})" if total else "-"


def section(title: str, lines: list[str], missed: list[str], note: str) -> str:
    """A markdown section: a table, whether the frozen part met its targets, and a note."""
    verdict = "all targets met" if not missed else "targets not met: " + "; ".join(missed)
    return f"\n## {title}\n\n" + "\n".join(lines) + f"\n\nFrozen part: {verdict}. {note}\n"


def server_topics(stack: servers.RasaStack, text: str, held_back: list[int] | None = None) -> list[str]:
    """The topics the real server ranked for one message, best first (empty: no topic); counts in
    `held_back` the messages that got a warning-sign escalation or question instead of a topic."""
    sender = f"eval-{uuid.uuid4().hex}"
    stack.send(sender, text)
    tracker = stack.tracker(sender)
    topics = tracker["slots"]["topics"] or []
    asked = (tracker.get("active_loop") or {}).get("name") == "safety_question_form"
    if held_back is not None and not topics and (asked or tracker["slots"].get("urgency") == "emergency"):
        held_back[0] += 1
    return topics


def topic_corpora(stack: servers.RasaStack) -> dict:
    """The independent topic corpus through the server: the development part (tuned on) and the frozen
    part (never read, never trained on). Counts only."""
    scores = {}
    for name, path in (("dev", topic_corpus.DEV), ("frozen", topic_corpus.FROZEN)):
        held_back = [0]
        score = topic_corpus.run(
            topic_corpus.load(path), lambda text, held_back=held_back: server_topics(stack, text, held_back)
        )
        scores[name] = {**score.as_dict(), "warning_sign_instead": held_back[0]}
        print(f"  topics {name}: {score.summary()}; warning sign instead of a topic: {held_back[0]}", flush=True)
    return scores


def topic_markdown(scores: dict) -> str:
    first = yaml.safe_load(topic_corpus.FIRST_CONTACT.read_text(encoding="utf-8"))

    lines = ["| part | when | top-1 | top-3 | no topic |", "|---|---|---|---|---|"]
    for name, score in scores.items():
        before = first[name]["server"]
        lines.append(
            f"| {name} | first contact ({first['commit']}) | "
            + " | ".join(cell(before[m]) for m in ("top1", "top3", "no_topic"))
            + " |"
        )
        tuned = "held out, today" if name == "frozen" else "tuned on, today"
        lines.append(f"| {name} | {tuned} | " + " | ".join(cell(score[m]) for m in ("top1", "top3", "no_topic")) + " |")
    frozen = topic_corpus.Score(**{k: v for k, v in scores["frozen"].items() if k != "warning_sign_instead"})
    missed = [
        f"{name} {frozen.rate(name):.1%} < {target:.1%}"
        for name, target in topic_corpus.TARGETS.items()
        if frozen.rate(name) < target
    ]
    note = (
        "Messages that got a warning-sign escalation or question instead of a topic (by design; counted as "
        f"no topic): dev {scores['dev'].get('warning_sign_instead', 0)}, "
        f"frozen {scores['frozen'].get('warning_sign_instead', 0)}."
    )
    return section(
        "Topics on the independent corpus (the project's model, through the real server)", lines, missed, note
    )


def corpus_outcome(stack: servers.RasaStack, text: str) -> warning_signs.Outcome:
    """What the real server did with one message: the urgency slot, and whether it asked the targeted
    question instead."""
    sender = f"eval-{uuid.uuid4().hex}"
    stack.send(sender, text)
    tracker = stack.tracker(sender)
    asked = (tracker.get("active_loop") or {}).get("name") == "safety_question_form"
    return warning_signs.Outcome(Urgency.parse(tracker["slots"].get("urgency")), asked=asked)


def warning_sign_corpora(stack: servers.RasaStack) -> dict:
    """Every independent corpus through the server: the development ones (tuned on, and the statistical
    net trained on them) and the frozen one (never read, never trained on). Counts only."""
    corpora = {**warning_signs.development_corpora(), "frozen": warning_signs.FROZEN}
    scores = {}
    for name, path in corpora.items():
        cases = warning_signs.load(path)
        score = warning_signs.run(cases, lambda text: corpus_outcome(stack, text))
        scores[name] = score.as_dict()
        print(f"  {name}: {score.summary()} | {score.asked_summary()}", flush=True)
    return scores


def warning_sign_markdown(scores: dict) -> str:
    first = warning_signs.first_contact()
    later = first.get("later_corpora", {})

    def contact(name: str) -> dict:
        if name in ("dev", "frozen"):
            return first[name]["server"]
        entry = later.get(name, {})
        return entry.get("with_net") or entry.get("detector") or {}

    lines = [
        "| corpus | when | emergencies escalated | urgent flagged | look-alikes escalated | plain escalated |",
        "|---|---|---|---|---|---|",
    ]
    for name, score in scores.items():
        before = contact(name)
        measures = ("emergency", "urgent", "lookalikes_escalated", "plain_escalated")
        lines.append(
            f"| {name} | first contact | "
            + " | ".join(cell(before[m]) if m in before else "-" for m in measures)
            + " |"
        )
        tuned = "held out, today" if name == "frozen" else "tuned on, today"
        lines.append(f"| {name} | {tuned} | " + " | ".join(cell(score[m]) for m in measures) + " |")
    frozen = warning_signs.Score(**scores["frozen"])
    note = (
        "Emergencies that got the targeted question instead of an escalation (a yes or 'not sure' escalates): "
        f"{frozen.emergencies_asked}; urgent signs: {frozen.urgent_asked}."
    )
    title = "Warning signs on the independent corpora (the project's model, through the real server)"
    return section(title, lines, frozen.misses_targets(), note)


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
    entity = result["server"]["entities"]
    if not entity["predicted"]:
        return f"none extracted (0 of {entity['expected']})"
    return "{precision} / {recall} / {f1-score}".format(**entity)


def markdown(results: dict) -> str:
    names = list(results)
    rows = [
        ("training time (s)", lambda r: f"{r['training_seconds']:.0f}"),
        ("intent F1 (`rasa test nlu`, weighted)", lambda r: r["nlu"]["intent"]["f1-score"]),
        ("entity precision / recall / F1 (same label, same words)", entity_cell),
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
    if results.get("project", {}).get("server", {}).get("warning_sign_corpora"):
        table += warning_sign_markdown(results["project"]["server"]["warning_sign_corpora"])
    if results.get("project", {}).get("server", {}).get("topic_corpora"):
        table += topic_markdown(results["project"]["server"]["topic_corpora"])
    (RESULTS / "eval.md").write_text("# Evaluation: project vs Rasa's default configuration\n\n" + table)
    print(table)


if __name__ == "__main__":
    main()
