"""Load benchmark (`make bench`): the project's configuration vs Rasa's default one, same data, same run.

For each configuration it trains a model from scratch (scripts/training.py), starts the real action
server and Rasa server on free ports (evaluation/servers.py), measures the time from start to ready, then
runs a single user and N concurrent users, each holding the conversation CONVERSATION (in
evaluation/expectations.py) through the REST channel, and reports throughput, latency percentiles, errors,
the servers' memory and the training time, with the ratio between the two configurations.

    python scripts/bench.py [--users 20] [--rounds 3] [--reuse-models] [--model models/x.tar.gz]

`--model` benchmarks one trained model only (no training, no comparison). `--scale-out` measures the
scale-out profile instead: one and then two Rasa servers on PostgreSQL and Redis behind nginx
(`make bench-scale-out`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation import servers  # noqa: E402
from evaluation.expectations import CONVERSATION  # noqa: E402
from scripts.training import CONFIGURATIONS, train  # noqa: E402

RESULTS = ROOT / "results"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("Pid", 0)) == pid or int(fields.get("PPid", 0)) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


async def converse(session: aiohttp.ClientSession, url: str, latencies: list[float], errors: list[str]) -> None:
    sender = f"bench-{uuid.uuid4().hex}"
    for text in CONVERSATION:
        started = time.perf_counter()
        try:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as answer:
                body = await answer.json()
                if answer.status != 200 or not body:
                    errors.append(f"{answer.status}: {text}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            errors.append(f"{type(error).__name__}: {text}")
        latencies.append(time.perf_counter() - started)


# Messages of one long conversation whose latency is reported: the median of the 20 messages up to each.
LONG_CONVERSATION_MARKS = (20, 160, 300)


async def long_conversation(url: str) -> dict:
    """One person sending CONVERSATION over and over, 300 messages: does a message cost more as the
    conversation grows (a Slack direct message is one conversation that can run for a long time)?"""
    sender = f"bench-long-{uuid.uuid4().hex}"
    latencies: list[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for index in range(LONG_CONVERSATION_MARKS[-1]):
            started = time.perf_counter()
            text = CONVERSATION[index % len(CONVERSATION)]
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as answer:
                await answer.read()
            latencies.append(time.perf_counter() - started)
    medians = {mark: 1000 * statistics.median(latencies[mark - 20 : mark]) for mark in LONG_CONVERSATION_MARKS}
    return {
        "median_ms_up_to_message": medians,
        "last_vs_first": medians[LONG_CONVERSATION_MARKS[-1]] / medians[LONG_CONVERSATION_MARKS[0]],
    }


def long_conversation_table(result: dict) -> str:
    lines = ["| messages | median latency |", "|---|---|"]
    for mark, median in result["median_ms_up_to_message"].items():
        lines.append(f"| {int(mark) - 19}-{mark} | {number(median, 'ms')} |")
    lines.append(f"| last 20 vs first 20 | {result['last_vs_first']:.1f}x |")
    return "\n".join(lines) + "\n"


async def load(url: str, users: int, rounds: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(converse(session, url, latencies, errors) for _ in range(users)))
        elapsed = time.perf_counter() - started
    return {
        "users": users,
        "messages": len(latencies),
        "messages_per_second": len(latencies) / elapsed,
        "latency_ms": {
            name: 1000 * percentile(latencies, q) for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "mean_ms": 1000 * statistics.mean(latencies),
        "errors": len(errors),
    }


# Conversations kept in memory, as `rasa init` does: what the two configurations are compared with.
IN_MEMORY_ENDPOINTS = "action_endpoint:\n  url: ${ACTION_SERVER_URL}\n"
STORES = ("memory", "sqlite")


def measure(model: Path, users: int, rounds: int, store: str = "memory", single_rounds: int = 10) -> dict:
    """Start the servers with `model`, then time one user and `users` users.

    `store`: "memory" (Rasa's in-memory tracker store) or "sqlite" (the project's endpoints.yml).
    """
    servers.MODEL = model.resolve()
    workdir = ROOT / "build" / "bench" / store
    shutil.rmtree(workdir, ignore_errors=True)  # no conversations from an earlier run
    workdir.mkdir(parents=True)
    endpoints = None
    if store == "memory":
        endpoints = workdir / "endpoints-in-memory.yml"
        endpoints.write_text(IN_MEMORY_ENDPOINTS)
    started = time.perf_counter()
    with servers.running_stack(workdir, endpoints_file=endpoints) as stack:
        ready_s = time.perf_counter() - started
        single = asyncio.run(load(stack.url, users=1, rounds=single_rounds))
        many = asyncio.run(load(stack.url, users=users, rounds=rounds))
        long = asyncio.run(long_conversation(stack.url)) if store == "sqlite" else None
        memory = {
            name: rss_mb(p.pid) for name, p in zip(("action_server_mb", "rasa_server_mb"), stack.processes, strict=True)
        }
    return {
        "model": str(model),
        "store": store,
        "ready_s": round(ready_s, 1),
        "single_user": single,
        "concurrent": many,
        **({"long_conversation": long} if long else {}),
        **memory,
    }


# (label, value, how to read the ratio: "higher" is better or "lower" is better)
MEASURES = (
    ("training", lambda r: r.get("training_s"), "s", "lower"),
    ("start to ready", lambda r: r["ready_s"], "s", "lower"),
    ("1 user: median latency", lambda r: r["single_user"]["latency_ms"]["p50"], "ms", "lower"),
    ("1 user: throughput", lambda r: r["single_user"]["messages_per_second"], "msg/s", "higher"),
    ("N users: throughput", lambda r: r["concurrent"]["messages_per_second"], "msg/s", "higher"),
    ("N users: latency p50", lambda r: r["concurrent"]["latency_ms"]["p50"], "ms", "lower"),
    ("N users: latency p95", lambda r: r["concurrent"]["latency_ms"]["p95"], "ms", "lower"),
    ("N users: latency p99", lambda r: r["concurrent"]["latency_ms"]["p99"], "ms", "lower"),
    ("errors", lambda r: r["single_user"]["errors"] + r["concurrent"]["errors"], "", None),
    ("memory, Rasa server", lambda r: r["rasa_server_mb"], "MB", "lower"),
    ("memory, action server", lambda r: r["action_server_mb"], "MB", "lower"),
)


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if not unit:
        return f"{value:.0f}"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def table(results: dict, users: int) -> str:
    names = list(results)
    compare = names == list(CONFIGURATIONS)
    header = "| measure | " + " | ".join(names) + (" | project is |" if compare else " |")
    lines = [header, "|---|" + "---|" * (len(names) + compare)]
    for label, value, unit, better in MEASURES:
        values = [value(results[name]) for name in names]
        cells = [number(v, unit) for v in values]
        if compare:
            project, default = values
            if better and project and default:
                factor = project / default if better == "higher" else default / project
                cells.append(f"{factor:.1f}x {'faster' if unit in ('s', 'ms', 'msg/s') else 'smaller'}")
            else:
                cells.append("")
        lines.append(f"| {label.replace('N users', f'{users} users')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def measure_scale_out(model: Path, users: int, rounds: int) -> dict:
    """One and two Rasa servers with endpoints.scale-out.yml, on private PostgreSQL and Redis, behind
    nginx (deploy/nginx.conf), started as the scale-out tests start them (evaluation/services.py)."""
    from evaluation import services

    servers.MODEL = model.resolve()
    workdir = ROOT / "build" / "bench" / "scale-out"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    results = {}
    with services.postgres() as postgres, services.redis_server(workdir) as redis_port:
        for count in (1, 2):
            stack = services.scale_out_stack(workdir, postgres, redis_port, rasa_servers=count)
            try:
                stack.start()
                # nginx.conf names two upstreams; with one server both point at it.
                with services.nginx(workdir, (stack.rasa_ports * 2)[:2]) as url:
                    single = asyncio.run(load(url, users=1, rounds=10))
                    many = asyncio.run(load(url, users=users, rounds=rounds))
            finally:
                stack.stop()
            results[f"{count} server{'s' * (count > 1)}"] = {"single_user": single, "concurrent": many}
    return results


def scale_out_table(results: dict, users: int) -> str:
    names = list(results)
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, value, unit, _ in MEASURES[2:9]:
        cells = [number(value(results[name]), unit) for name in names]
        lines.append(f"| {label.replace('N users', f'{users} users')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def store_table(stores: dict, users: int) -> str:
    """The project's model with conversations in memory and in the SQLite file endpoints.yml names."""
    lines = ["| measure | in memory | SQLite (the default) |", "|---|---|---|"]
    for label, value, unit, _ in MEASURES[1:9]:
        cells = [number(value(stores[store]), unit) for store in STORES]
        lines.append(f"| {label.replace('N users', f'{users} users')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", type=Path, help="benchmark this trained model only")
    parser.add_argument("--reuse-models", action="store_true", help="use models trained by an earlier run")
    parser.add_argument("--scale-out", action="store_true", help="one vs two servers on PostgreSQL + Redis")
    args = parser.parse_args()

    if args.scale_out:
        model = args.model or ROOT / "models" / "neck-pain-assistant.tar.gz"
        results = measure_scale_out(model, args.users, args.rounds)
        markdown = scale_out_table(results, args.users)
        print(markdown)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "bench-scale-out.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        (RESULTS / "bench-scale-out.md").write_text(f"# Scale-out: {model.name}\n\n{markdown}", encoding="utf-8")
        return

    results = {}
    if args.model:
        project_model = args.model
        results[args.model.name] = measure(args.model, args.users, args.rounds)
    else:
        for name in CONFIGURATIONS:
            print(f"[{name}] training ...", flush=True)
            model, seconds = train(name, reuse=args.reuse_models)
            print(f"[{name}] trained in {seconds:.0f} s; benchmarking ...", flush=True)
            results[name] = {"training_s": round(seconds, 1), **measure(model, args.users, args.rounds)}
        project_model = Path(results["project"]["model"])
    print("[project] benchmarking with the SQLite conversation store ...", flush=True)
    in_memory = next(iter(results.values()))  # the project's (or the given) model, measured above
    stores = {"memory": in_memory, "sqlite": measure(project_model, args.users, args.rounds, "sqlite")}
    markdown = table(results, args.users)
    store_markdown = store_table(stores, args.users)
    long_markdown = long_conversation_table(stores["sqlite"]["long_conversation"])
    print(markdown)
    print(store_markdown)
    print(long_markdown)
    if not args.model:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "bench.json").write_text(json.dumps({**results, "stores": stores}, indent=2), encoding="utf-8")
        machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
        (RESULTS / "bench.md").write_text(
            f"# Benchmark: project vs Rasa's default configuration\n\n{machine}, {args.users} users x "
            f"{args.rounds} rounds of a {len(CONVERSATION)}-message conversation, conversations kept in "
            f"memory as `rasa init` does.\n\n{markdown}\n## The project's model with its conversation store\n\n"
            f"{store_markdown}\n## One conversation of 300 messages (SQLite)\n\n{long_markdown}",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
