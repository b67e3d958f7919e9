"""grant-advisor benchmark: each figure a median of repeated runs and a ratio to a baseline
measured in the same run (this machine is shared and noisy; absolute times drift, ratios hold).

Run from a checkout with the package installed (``pip install -e .``)::

    python benchmarks/bench.py            # everything, about a minute
    python benchmarks/bench.py --quick    # fewer repetitions

Figures:

1. Whole processes: ``grant-advisor ask --format json`` with a complete answer set (with
   samples, as run again with the same values, then with values never used before: both
   render, as there is no rendered-sample cache; and without samples) and ``grant-advisor
   validate``, against ``python -c "import yaml; from pydantic import BaseModel"``.
2. The TUI from process start until the first question is interactive (headless), against a
   minimal Textual app with one Label (see benchmarks/tui_start.py).
3. The TUI's redraw after a key, in-process (targets: an answer within one frame, 16 ms; the
   recommendation on screen within 100 ms): the first frame of the new screen, the frame
   after which it no longer changes, and the CPU time that took (steal-proof); and the first
   recommendation of a fresh process, where what is built once counts.
4. Generated trees of 100, 1,000 and 10,000 nodes: load + validate, a full walk (every path
   from the start to every outcome), and the Mermaid export, with the 10,000/1,000 ratio.
5. Peak memory (max RSS) of each process.

Nothing here is asserted: the test suite never times anything.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

COMPLETE_ANSWERS = [
    "-a", "situation=own_service",
    "-a", "workload_platform=no_platform_identity",
    "-a", "m2m_credential=private_key",
]  # fmt: skip


def child_env() -> dict[str, str]:
    """The environment for measured processes: bytecode cached, as for an installed package.

    Some machines set PYTHONDONTWRITEBYTECODE, which would make every run compile this
    checkout's modules from source while site-packages has its bytecode: a private cache
    folder (PYTHONPYCACHEPREFIX) gives both the same footing. The warm-up run fills it.
    """
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


PYCACHE = Path(tempfile.gettempdir()) / "grant-advisor-bench-pycache"


def run_process(argv: Sequence[str]) -> tuple[float, int]:
    """Wall time (s) and max RSS (KiB) of one process, which must exit 0."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env(), cwd=ROOT
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}: {stderr}")
    if process.stderr:
        process.stderr.close()
    return elapsed, usage.ru_maxrss


def median_process(argv: Sequence[str], repeat: int) -> tuple[float, int]:
    """Median wall time and the largest max RSS over ``repeat`` runs (after one warm-up)."""
    run_process(argv)
    results = [run_process(argv) for _ in range(repeat)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def cli() -> list[str]:
    script = shutil.which("grant-advisor")
    return [script] if script else [sys.executable, "-m", "advisor"]


def bench_commands(repeat: int) -> list[tuple[str, float, float, int]]:
    """(name, median seconds, ratio to baseline, max RSS KiB) for the headless commands."""
    baseline_argv = [sys.executable, "-c", "import yaml; from pydantic import BaseModel"]
    fresh = itertools.count()
    cases: dict[str, list[str] | Callable[[], list[str]]] = {
        "baseline: import yaml + pydantic": baseline_argv,
        "ask --format json (complete, samples)": [*cli(), "ask", *COMPLETE_ANSWERS, "-f", "json"],
        # A client id never used before. There is no rendered-sample cache any more, so this
        # costs the same as the line above; both stay to compare with older runs.
        "ask ... samples, new values (render)": lambda: [
            *cli(),
            "ask",
            *COMPLETE_ANSWERS,
            "-f",
            "json",
            "--client-id",
            f"bench-{os.getpid()}-{time.time_ns()}-{next(fresh)}",
        ],
        "ask --format json (complete, --lang none)": [
            *cli(),
            "ask",
            *COMPLETE_ANSWERS,
            "-f",
            "json",
            "--lang",
            "none",
        ],
        "ask (first question)": [*cli(), "ask"],
        "validate (shipped tree)": [*cli(), "validate"],
    }
    # Interleave the cases so drifting machine load affects them alike.
    times: dict[str, list[float]] = {name: [] for name in cases}
    rss: dict[str, int] = dict.fromkeys(cases, 0)

    def argv_of(case: list[str] | Callable[[], list[str]]) -> list[str]:
        return case() if callable(case) else case

    for case in cases.values():
        run_process(argv_of(case))  # warm the page cache
    for _ in range(repeat):
        for name, case in cases.items():
            elapsed, peak = run_process(argv_of(case))
            times[name].append(elapsed)
            rss[name] = max(rss[name], peak)
    base = statistics.median(times["baseline: import yaml + pydantic"])
    return [
        (name, statistics.median(values), statistics.median(values) / base, rss[name])
        for name, values in times.items()
    ]


TUI_START = HERE / "tui_start.py"


def tui_start(*args: str) -> dict[str, Any]:
    """What benchmarks/tui_start.py measures with ``args``, read from its JSON output."""
    result = subprocess.run(
        [sys.executable, str(TUI_START), *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=child_env(),
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def bench_tui(repeat: int) -> list[tuple[str, float, float, int]]:
    """Process start to first question interactive, against a minimal Textual app."""
    if not TUI_START.is_file():
        return []
    data = tui_start("--runs", str(repeat))
    rows = []
    base = data["minimal"]["median"]
    for name, key in (
        ("minimal Textual app (one Label)", "minimal"),
        ("grant-advisor TUI, first question", "advisor"),
    ):
        rows.append(
            (name, data[key]["median"], data[key]["median"] / base, data[key].get("max_rss_kib", 0))
        )
    return rows


def bench_first(runs: int) -> dict[str, Any]:
    """The first recommendation of fresh TUI processes (see tui_start.py --first)."""
    return tui_start("--first", "--runs", str(runs))


def bench_redraw(rounds: int) -> dict[str, dict[str, float]]:
    """In-process redraw times after keys in the TUI (see benchmarks/tui_start.py --redraw)."""
    data = tui_start("--redraw", "--rounds", str(rounds))
    return {kind: data[kind] for kind in ("answer", "back", "outcome", "outcome_back")}


SCALE_PROBE = """
import json, resource, statistics, sys, time
sys.path.insert(0, {benchmarks!r})
from treegen import tree_yaml
from advisor.tree.loader import parse_tree
from advisor.session import Session
from advisor.exports.mermaid import tree_mermaid

nodes, repeat = {nodes}, {repeat}
text = tree_yaml(nodes)

def timed(fn):
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        values.append(time.perf_counter() - started)
    return statistics.median(values), result

load_s, loaded = timed(lambda: parse_tree(text, "generated.yaml"))
tree = loaded.tree

def walk_all():
    # Every path from the start to every outcome, through the same Session the CLI uses.
    pending, outcomes = [Session(tree)], 0
    while pending:
        session = pending.pop()
        question = session.current_question
        if question is None:
            session.recommendation()
            outcomes += 1
            continue
        pending.extend(session.answer(c.id) for c in question.choices)
    return outcomes

walk_s, outcomes = timed(walk_all)
mermaid_s, diagram = timed(lambda: tree_mermaid(tree))
print(json.dumps({{
    "nodes": len(tree.questions) + len(tree.outcomes), "bytes": len(text),
    "load": load_s, "walk": walk_s, "mermaid": mermaid_s, "outcomes": outcomes,
    "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}}))
"""


def bench_scale(repeat: int) -> list[dict[str, float]]:
    rows = []
    for nodes in (101, 1001, 10001):
        probe = SCALE_PROBE.format(benchmarks=str(HERE), nodes=nodes, repeat=repeat)
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
        )
        rows.append(json.loads(result.stdout))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeat = 5 if args.quick else 11
    started = time.perf_counter()

    print(
        f"grant-advisor benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"median of {repeat} runs"
    )
    print()
    print(f"{'process':<46} {'median':>9} {'ratio':>7} {'max RSS':>9}")
    commands = bench_commands(repeat)
    for name, seconds, ratio, rss in commands:
        print(f"{name:<46} {seconds * 1000:7.0f}ms {ratio:6.2f}x {rss / 1024:7.1f}MB")
    tui = bench_tui(repeat)
    if tui:
        print()
        for name, seconds, ratio, rss in tui:
            print(f"{name:<46} {seconds * 1000:7.0f}ms {ratio:6.2f}x {rss / 1024:7.1f}MB")

    redraw = bench_redraw(2 if args.quick else 3)
    print()
    print(
        f"{'TUI key, in-process (ms, median / max)':<42} {'first frame':>14} {'final frame':>14}"
        f" {'CPU':>14}"
    )
    labels = {
        "answer": "answer -> next question on screen",
        "back": "back -> previous question on screen",
        "outcome": "last answer -> recommendation on screen",
        "outcome_back": "back from the recommendation",
    }
    rows = {kind: redraw[kind] for kind in labels}
    labels["first"] = "first recommendation of a process"
    rows["first"] = bench_first(3 if args.quick else 5)
    for kind, label in labels.items():
        row = rows[kind]
        cells = [
            f"{row[f'{name}_median_ms']:6.1f} /{row[f'{name}_max_ms']:5.0f}"
            for name in ("first", "shown", "cpu")
        ]
        print(f"{label:<42} " + " ".join(f"{cell:>14}" for cell in cells))
    print()
    print(
        f"{'generated tree':<16} {'size':>8} {'load+validate':>14} {'walk all':>10} "
        f"{'mermaid':>9} {'max RSS':>9}"
    )
    scale = bench_scale(max(3, repeat // 2))
    for row in scale:
        print(
            f"{int(row['nodes']):>7} nodes {row['bytes'] / 1e6:6.1f}MB {row['load'] * 1000:12.0f}ms"
            f" {row['walk'] * 1000:8.0f}ms {row['mermaid'] * 1000:7.0f}ms"
            f" {row['max_rss_kib'] / 1024:7.1f}MB"
        )
    big, mid = scale[2], scale[1]
    print(
        f"{'10k/1k ratio':<25} {big['load'] / mid['load']:14.1f}x {big['walk'] / mid['walk']:9.1f}x"
        f" {big['mermaid'] / mid['mermaid']:8.1f}x"
    )
    print()
    print(f"benchmark took {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
