"""Headless start-up time of the TUI, against a minimal Textual app measured in the same run.

Each sample is a fresh interpreter: the clock starts before the process is spawned and stops
when the child reports that it is interactive. For grant-advisor that means the shipped tree
is loaded, the first question is on screen and its choice list has focus; for the baseline,
an app with one Label has mounted. Samples of the two alternate, so drift on the machine
(another job, CPU frequency) hits both alike. The child also reports where its own time went.

Usage::

    python benchmarks/tui_start.py [--runs 5] [--json]

Prints the median of each and the ratio advisor / minimal. Timing is never asserted in the
test suite; this script is for people (and the perf engineer) to run and compare.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
kind = sys.argv[1]
marks = {}

def report(app, pilot_ready):
    marks["ready"] = time.perf_counter() - t0
    os.write(1, ("READY " + json.dumps(marks) + "\n").encode())
    app.exit()

from textual.app import App
marks["import_textual"] = time.perf_counter() - t0

if kind == "minimal":
    from textual.widgets import Label

    class Minimal(App):
        def compose(self):
            yield Label("ready")

    app = Minimal()

    async def auto_pilot(pilot):
        await pilot.pause(0)
        report(app, True)
else:
    from advisor.tui.app import GrantAdvisorApp
    from advisor.tui.screens.walk import WalkScreen
    from advisor.tui.widgets.choices import ChoiceList
    marks["import_app"] = time.perf_counter() - t0
    app = GrantAdvisorApp()
    marks["load_tree"] = time.perf_counter() - t0
    assert app.session is not None, app.load_error

    async def auto_pilot(pilot):
        while not (isinstance(app.screen, WalkScreen) and isinstance(app.focused, ChoiceList)):
            await pilot.pause(0)
        await pilot.pause(0)
        report(app, True)

app.run(headless=True, size=(100, 32), auto_pilot=auto_pilot)
"""


def sample(kind: str) -> tuple[float, dict[str, float]]:
    """Seconds from spawning the child to its READY line, and the child's own marks."""
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    env.pop("NO_COLOR", None)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    line = b""
    for line in child.stdout:
        if line.startswith(b"READY "):
            break
    elapsed = time.perf_counter() - start
    _, stderr = child.communicate(timeout=60)
    if not line.startswith(b"READY ") or child.returncode != 0:
        raise SystemExit(f"{kind} failed (exit {child.returncode}):\n{stderr.decode()}")
    marks: dict[str, float] = json.loads(line[6:])
    return elapsed, marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="samples of each (default 5)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    sample("minimal")  # warm the file cache and bytecode for both before measuring
    sample("advisor")
    times: dict[str, list[float]] = {"minimal": [], "advisor": []}
    marks: dict[str, list[dict[str, float]]] = {"minimal": [], "advisor": []}
    for _ in range(args.runs):
        for kind in ("minimal", "advisor"):
            elapsed, child_marks = sample(kind)
            times[kind].append(elapsed)
            marks[kind].append(child_marks)
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    ratio = medians["advisor"] / medians["minimal"]
    breakdown = {
        kind: {name: statistics.median(m[name] for m in marks[kind]) for name in marks[kind][0]}
        for kind in marks
    }
    if args.json:
        print(
            json.dumps(
                {
                    "runs": args.runs,
                    "seconds": times,
                    "median": medians,
                    "ratio": ratio,
                    "child_marks_median": breakdown,
                },
                indent=2,
            )
        )
        return 0
    for kind in ("minimal", "advisor"):
        values = ", ".join(f"{v * 1000:.0f}" for v in times[kind])
        inside = ", ".join(f"{k} {v * 1000:.0f}" for k, v in breakdown[kind].items())
        print(f"{kind:8} median {medians[kind] * 1000:6.0f} ms  (runs: {values})")
        print(f"{'':8} inside the child, ms since its start: {inside}")
    print(f"ratio advisor / minimal: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
