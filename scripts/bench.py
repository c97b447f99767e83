"""Load benchmark: many simulated users holding multi-turn conversations through the REST channel.

Starts the real action server and Rasa server on free ports (tests/e2e/servers.py), measures the time
from start to ready, then runs a single user and N concurrent users, each holding the conversation
below, and prints throughput, latency percentiles, errors and the servers' memory.

    python scripts/bench.py --users 20 --rounds 3 [--model models/other.tar.gz] [--json results/bench.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import servers  # noqa: E402

CONVERSATION = [
    "my neck cramps up every afternoon at my desk",
    "tell me more",
    "/start_triage",
    "no",
    "no",
    "no",
    "no",
    "no",
    "about three weeks",
    "bye",
]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", type=Path, default=servers.MODEL)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    servers.MODEL = args.model.resolve()
    workdir = ROOT / "build" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with servers.running_stack(workdir) as stack:
        ready_s = time.perf_counter() - started
        single = asyncio.run(load(stack.url, users=1, rounds=args.rounds))
        many = asyncio.run(load(stack.url, users=args.users, rounds=args.rounds))
        memory = {
            name: rss_mb(p.pid) for name, p in zip(("action_server_mb", "rasa_server_mb"), stack.processes, strict=True)
        }
    result = {"model": str(args.model), "ready_s": ready_s, "single_user": single, "concurrent": many, **memory}

    print(f"model: {args.model}")
    print(
        f"start to ready: {ready_s:.1f} s; memory: rasa {memory['rasa_server_mb']:.0f} MB, "
        f"actions {memory['action_server_mb']:.0f} MB"
    )
    for label, run in (("1 user", single), (f"{args.users} users", many)):
        latency = run["latency_ms"]
        print(
            f"{label:>9}: {run['messages_per_second']:6.1f} msg/s, p50 {latency['p50']:6.0f} ms, "
            f"p95 {latency['p95']:6.0f} ms, p99 {latency['p99']:6.0f} ms, errors {run['errors']}/{run['messages']}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
