"""TUI timings: start-up against a minimal Textual app, and the redraw after each answer.

**Start-up** (default mode). Each sample is a fresh interpreter: the clock starts before the
process is spawned and stops when the child reports that it is interactive. For grant-advisor
that means the shipped tree is loaded, the first question is on screen and its choice list has
focus; for the baseline, an app with one Label has mounted. Samples of the two alternate, so
drift on the machine (another job, CPU frequency) hits both alike. The child also reports where
its own time went (wall clock since its first line, and ``ready_cpu``: CPU time of the whole
process until ready, which time stolen by other jobs or a busy VM host does not inflate), and
its peak memory is read with ``os.wait4``.

The children read and write bytecode in a private cache (``PYTHONPYCACHEPREFIX``, a temporary
folder filled by the warm-up runs), as an installed package does: without it, a checkout run
with ``PYTHONDONTWRITEBYTECODE=1`` compiles every grant-advisor module from source on every
start while Textual's bytecode comes from site-packages, which is not a fair comparison.
``--source`` keeps the environment as it is.

**Redraw** (``--redraw``). In-process, on the shipped tree, headless at 100×32: a key is
handed to the app as terminal input is (``driver.send_message``) and the clock runs until the
app has drawn the result and gone quiet. Each frame is also turned into the escape sequences a
terminal would receive (headless mode skips that), so output is counted; the script's own
bookkeeping (a picture of the screen after each frame) is subtracted. Before each key the app
is left alone until it is idle (no frame, no queued message, no running worker) and then for
``READING`` seconds more, as a user reading the screen would; what it does meanwhile (timers,
work done ahead of time in threads) is not charged to the next key. One round walks to every
question of the shipped tree and back; ``--rounds`` repeats it. Kinds:

- ``answer``: a number key that leads from a question to another question (12 per round);
- ``back``: Escape from a question to the previous one (12 per round);
- ``outcome``: a number key that leads to a recommendation, which builds the recommendation
  screen (sections, tabs, highlighted code), and ``outcome_back``: Escape from it (9 each).

For each, median and max of

- ``first``: key in → the first frame that shows the screen the key leads to (for
  ``outcome``: the recommendation is on screen, its code possibly not highlighted yet);
- ``shown``: key in → the frame after which the screen no longer changes (what the user sees;
  later frames repaint the same picture, e.g. Textual's second layout pass after new widgets
  report their size);
- ``settled``: key in → the last frame, the app idle again. Includes waits for Textual's frame
  timer (60 fps: when one change needs two frames, the second waits for the next tick);
- ``busy``: the part of ``settled`` the event loop spent working rather than waiting in
  ``select``: the cost of the redraw, in wall time (so time stolen by other jobs counts);
- ``cpu``: the process's CPU time from the key to ``shown`` (``time.process_time``, less the
  measurement's own): the cost of the redraw that other jobs on the machine cannot inflate.

The top-level ``median_ms`` / ``max_ms`` are ``answer.shown``; ``samples`` lists every key.

**First recommendation** (``--first``). The recommendation a user sees is usually the first
one of the process, and whatever is built once (or ahead of time) counts there. Each sample is
a fresh interpreter on the shipped tree, headless at 100×32: it waits 1.5 s at the first
question (a user reads it), answers its way to the question before the deepest outcome's, waits
again, and sends the last answer as terminal input; it reports ``first`` and ``shown`` as above
and ``cpu``, the process's CPU time to ``shown``.

Usage::

    python benchmarks/tui_start.py [--runs 7] [--json] [--source]
    python benchmarks/tui_start.py --redraw [--rounds 3] [--json]
    python benchmarks/tui_start.py --first [--runs 7] [--json]

Timing is never asserted in the test suite; this script is for people (and ``bench.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
kind = sys.argv[1]
marks = {}

def report(app, pilot_ready):
    marks["ready"] = time.perf_counter() - t0
    marks["ready_cpu"] = time.process_time()  # CPU since the process began: steal-proof
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


def sample(kind: str, pycache: str | None) -> tuple[float, dict[str, float], int]:
    """Seconds from spawning the child to its READY line, the child's marks, its max RSS."""
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    env.pop("NO_COLOR", None)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, kind],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        assert child.stdout is not None
        line = b""
        for line in child.stdout:
            if line.startswith(b"READY "):
                break
        elapsed = time.perf_counter() - start
        child.stdout.read()
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if not line.startswith(b"READY ") or child.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{kind} failed (exit {child.returncode}):\n{stderr.read().decode()}")
    marks: dict[str, float] = json.loads(line[6:])
    return elapsed, marks, usage.ru_maxrss


def start_up(runs: int, source: bool) -> dict[str, Any]:
    """The start-up comparison; see the module docstring."""
    pycache = None if source else tempfile.mkdtemp(prefix="tui-start-pyc-")
    try:
        sample("minimal", pycache)  # warm the file cache and bytecode for both
        sample("advisor", pycache)
        kinds = ("minimal", "advisor")
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        marks: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
        rss: dict[str, list[int]] = {kind: [] for kind in kinds}
        for _ in range(runs):
            for kind in kinds:
                elapsed, child_marks, max_rss = sample(kind, pycache)
                times[kind].append(elapsed)
                marks[kind].append(child_marks)
                rss[kind].append(max_rss)
    finally:
        if pycache is not None:
            shutil.rmtree(pycache, ignore_errors=True)
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    breakdown = {
        kind: {name: statistics.median(m[name] for m in marks[kind]) for name in marks[kind][0]}
        for kind in kinds
    }
    result: dict[str, Any] = {
        "runs": runs,
        "bytecode": "source" if source else "cached",
        "ratio": medians["advisor"] / medians["minimal"],
    }
    for kind in kinds:
        result[kind] = {
            "median": medians[kind],
            "seconds": times[kind],
            "child_marks_median": breakdown[kind],
            "max_rss_kib": max(rss[kind]),
        }
    # The first layout of this output, kept for older readers.
    result.update(seconds=times, median=medians, child_marks_median=breakdown)
    return result


def print_start_up(result: dict[str, Any]) -> None:
    for kind in ("minimal", "advisor"):
        data = result[kind]
        values = ", ".join(f"{v * 1000:.0f}" for v in data["seconds"])
        inside = ", ".join(f"{k} {v * 1000:.0f}" for k, v in data["child_marks_median"].items())
        print(
            f"{kind:8} median {data['median'] * 1000:6.0f} ms  max RSS "
            f"{data['max_rss_kib'] / 1024:5.1f} MiB  (runs: {values})"
        )
        print(f"{'':8} inside the child, ms since its start: {inside}")
    print(f"ratio advisor / minimal: {result['ratio']:.2f} (bytecode: {result['bytecode']})")


# -- redraw ------------------------------------------------------------------------------------


class _LoopClock:
    """Records when the event loop is blocked in ``select`` (waiting, not working)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.blocked: list[tuple[float, float]] = []
        selector = loop._selector  # type: ignore[attr-defined]
        select = selector.select

        def timed_select(timeout: float | None = None) -> Any:
            start = time.perf_counter()
            try:
                return select(timeout)
            finally:
                self.blocked.append((start, time.perf_counter()))

        selector.select = timed_select

    def blocked_between(self, start: float, end: float) -> float:
        return sum(max(0.0, min(b, end) - max(a, start)) for a, b in self.blocked)


_TIMES = ("first", "shown", "settled", "busy", "cpu")

READING = 0.4
"""Seconds between a screen settling and the next key (what the app does while the user reads
the screen, in timers and workers, is not charged to the next key)."""


def redraw(rounds: int) -> dict[str, Any]:
    """Time answers, Escapes, recommendations and back on the shipped tree (see the module)."""
    sys.path.insert(0, str(REPO))
    os.environ.pop("NO_COLOR", None)
    from textual import events

    from advisor.tui.app import GrantAdvisorApp
    from advisor.tui.screens.walk import WalkScreen
    from advisor.tui.widgets.choices import NUMBER_KEYS, ChoiceList

    app = GrantAdvisorApp()
    app.animation_level = "none"
    assert app.session is not None, app.load_error
    tree = app.session.tree
    # (when the frame was written, hash of the screen, CPU time then, the screen's class)
    frames: list[tuple[float, int, float, str]] = []
    overhead: list[tuple[float, float]] = []  # time spent hashing screens: not the app's
    cpu_overhead: list[tuple[float, float]] = []  # the same, in CPU time
    kinds = ("answer", "back", "outcome", "outcome_back")
    samples: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in kinds}
    each: list[dict[str, Any]] = []
    original_display = app._display

    def display(screen: Any, renderable: Any) -> None:
        original_display(screen, renderable)
        if renderable is None or not hasattr(renderable, "render_segments"):
            return
        # What the terminal would be sent (headless mode skips this): part of the redraw.
        renderable.render_segments(app.console)
        written = time.perf_counter()
        written_cpu = time.process_time()
        # What the whole screen looks like now, to tell the frame that finished the change
        # from later frames that repaint the same picture. Not the app's time: subtracted.
        picture = hash(
            "".join(strip.render(app.console) for strip in screen._compositor.render_strips())
        )
        frames.append((written, picture, written_cpu, type(screen).__name__))
        overhead.append((written, time.perf_counter()))
        cpu_overhead.append((written_cpu, time.process_time()))

    app._display = display  # type: ignore[method-assign]

    def app_time(start: float, end: float, spent: list[tuple[float, float]] | None = None) -> float:
        """Seconds between two instants, less the measurement's own time (``spent``)."""
        spent = overhead if spent is None else spent
        return (
            end
            - start
            - sum(min(b, end) - max(a, start) for a, b in spent if b > start and a < end)
        )

    def shown_question() -> str | None:
        """The question on screen with its choices focused, or ``outcome:<id>``."""
        screen = app.screen
        if type(screen).__name__ == "RecommendationScreen" and app.session is not None:
            outcome = app.session.outcome
            return None if outcome is None else f"outcome:{outcome.id}"
        if not isinstance(screen, WalkScreen):
            return None
        focused = app.focused
        if not isinstance(focused, ChoiceList) or focused.question is None:
            return None
        return focused.question.id

    def busy() -> bool:
        screen = app.screen
        nodes = [app, *screen.walk_children(with_self=True)]
        return (
            any(not worker.is_finished for worker in app.workers)
            or any(not node._message_queue.empty() for node in nodes)
            or screen._layout_required
            or screen._repaint_required
            or screen._recompose_required
            or bool(screen._dirty_widgets)
        )

    async def settle(until: Callable[[], bool]) -> None:
        """Wait until ``until()`` and then 100 ms without frames or work."""
        while not until():
            await asyncio.sleep(0.002)
        while True:
            seen = len(frames)
            await asyncio.sleep(0.1)
            if len(frames) == seen and not busy() and until():
                return

    async def press(key: str, expect: str, kind: str, clock: _LoopClock) -> None:
        await settle(lambda: True)
        await asyncio.sleep(READING)  # a user reads the screen; the app's timers fire
        await settle(lambda: True)
        before = len(frames)
        assert app._driver is not None
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        target = "RecommendationScreen" if expect.startswith("outcome:") else "WalkScreen"
        start_cpu = time.process_time()
        start = time.perf_counter()
        app._driver.send_message(event)
        await settle(lambda: shown_question() == expect and len(frames) > before)
        after = frames[before:]
        final = after[-1][1]
        shown, _, shown_cpu, _ = next(frame for frame in after if frame[1] == final)
        first = next((frame[0] for frame in after if frame[3] == target), shown)
        settled = after[-1][0]
        timing = (
            app_time(start, first),
            app_time(start, shown),
            app_time(start, settled),
            app_time(start, settled) - clock.blocked_between(start, settled),
            app_time(start_cpu, shown_cpu, cpu_overhead),
        )
        samples[kind].append(timing)
        each.append(
            {"kind": kind, "key": key, "to": expect, "frames": len(after)}
            | {name: round(value * 1000, 2) for name, value in zip(_TIMES, timing, strict=True)}
        )

    async def walk(pilot: Any) -> None:
        clock = _LoopClock(asyncio.get_running_loop())
        start = tree.start
        await settle(lambda: shown_question() == start)
        for _ in range(rounds):
            first = tree.question(start)
            assert first is not None
            for position, choice in enumerate(first.choices[: len(NUMBER_KEYS)]):
                second = tree.question(choice.next)
                if second is None:
                    continue
                await press(NUMBER_KEYS[position], second.id, "answer", clock)
                ends = [c for c in second.choices if tree.question(c.next) is None]
                if ends:  # an answer that leads to a recommendation, and back from it
                    key = NUMBER_KEYS[second.choices.index(ends[0])]
                    await press(key, f"outcome:{ends[0].next}", "outcome", clock)
                    await press("escape", second.id, "outcome_back", clock)
                path = [start, second.id]
                third = next((c for c in second.choices if tree.question(c.next) is not None), None)
                if third is not None:
                    key = NUMBER_KEYS[second.choices.index(third)]
                    await press(key, third.next, "answer", clock)
                    path.append(third.next)
                for previous in reversed(path[:-1]):
                    await press("escape", previous, "back", clock)
        app.exit()

    app.run(headless=True, size=(100, 32), auto_pilot=walk)

    def summary(values: list[tuple[float, float, float]]) -> dict[str, Any]:
        result: dict[str, Any] = {"count": len(values)}
        for position, name in enumerate(_TIMES):
            column = [v[position] * 1000 for v in values]
            result[f"{name}_median_ms"] = statistics.median(column)
            result[f"{name}_max_ms"] = max(column)
        return result

    answer = summary(samples["answer"])
    return {
        "rounds": rounds,
        "size": [100, 32],
        "median_ms": answer["shown_median_ms"],
        "max_ms": answer["shown_max_ms"],
        **{kind: summary(samples[kind]) for kind in kinds},
        "samples": each,
    }


def print_redraw(result: dict[str, Any]) -> None:
    for kind in ("answer", "back", "outcome", "outcome_back"):
        data = result[kind]
        print(
            f"{kind:12} ({data['count']:2}), median / max ms: "
            + ", ".join(
                f"{name} {data[f'{name}_median_ms']:5.1f} / {data[f'{name}_max_ms']:5.1f}"
                for name in _TIMES
            )
        )


FIRST_CHILD = r"""
import asyncio, json, os, sys, time
from textual import events
from advisor.tree.loader import load_tree
from advisor.tui.app import GrantAdvisorApp
from advisor.tui.widgets.choices import NUMBER_KEYS

tree = load_tree()
walks, queue, seen = {}, [(tree.start, [])], {tree.start}
while queue:  # a shortest walk to every outcome; the deepest one is measured
    node, walk = queue.pop(0)
    question = tree.question(node)
    if question is None:
        walks.setdefault(node, walk)
        continue
    for position, choice in enumerate(question.choices[: len(NUMBER_KEYS)]):
        if choice.next not in seen:
            seen.add(choice.next)
            queue.append((choice.next, [*walk, NUMBER_KEYS[position]]))
keys = max(walks.values(), key=len)
app = GrantAdvisorApp()
app.animation_level = "none"
frames = []
display = app._display

def timed_display(screen, renderable):
    display(screen, renderable)
    if renderable is not None and hasattr(renderable, "render_segments"):
        renderable.render_segments(app.console)  # what a terminal would be sent
        picture = hash(
            "".join(strip.render(app.console) for strip in screen._compositor.render_strips())
        )
        frames.append((time.perf_counter(), time.process_time(), type(screen).__name__, picture))

app._display = timed_display

async def auto_pilot(pilot):
    await asyncio.sleep(1.5)
    for key in keys[:-1]:
        await pilot.press(key)
    await asyncio.sleep(1.5)
    frames.clear()
    event = events.Key(keys[-1], keys[-1])
    event.set_sender(app)
    start, start_cpu = time.perf_counter(), time.process_time()
    app._driver.send_message(event)
    await asyncio.sleep(1.5)
    shown = [f for f in frames if f[2] == "RecommendationScreen"]
    final = next(f for f in shown if f[3] == shown[-1][3])
    os.write(1, ("RESULT " + json.dumps({
        "first": shown[0][0] - start, "shown": final[0] - start, "cpu": final[1] - start_cpu,
        "frames": len(shown),
    }) + "\n").encode())
    app.exit()

app.run(headless=True, size=(100, 32), auto_pilot=auto_pilot)
"""


def first_recommendation(runs: int) -> dict[str, Any]:
    """The first recommendation of fresh processes; see the module docstring."""
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    env.pop("NO_COLOR", None)
    results: list[dict[str, float]] = []
    for _ in range(runs + 1):  # the first run warms the file cache and bytecode
        child = subprocess.run(
            [sys.executable, "-c", FIRST_CHILD], cwd=REPO, env=env, capture_output=True
        )
        line = next(
            (x for x in child.stdout.decode().splitlines() if x.startswith("RESULT ")), None
        )
        if line is None:
            raise SystemExit(f"the child failed (exit {child.returncode}):\n{child.stderr}")
        results.append(json.loads(line[7:]))
    results = results[1:]
    summary: dict[str, Any] = {"runs": runs}
    for name in ("first", "shown", "cpu"):
        values = [r[name] * 1000 for r in results]
        summary[f"{name}_median_ms"] = statistics.median(values)
        summary[f"{name}_max_ms"] = max(values)
    summary["samples"] = results
    return summary


def print_first(result: dict[str, Any]) -> None:
    print(
        f"first recommendation ({result['runs']} processes), median / max ms: "
        + ", ".join(
            f"{name} {result[f'{name}_median_ms']:5.1f} / {result[f'{name}_max_ms']:5.1f}"
            for name in ("first", "shown", "cpu")
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", "--repeat", type=int, default=5, help="start-up samples of each (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--source", action="store_true", help="start-up: no private bytecode cache (see above)"
    )
    parser.add_argument("--redraw", action="store_true", help="time the redraw after answers")
    parser.add_argument("--rounds", type=int, default=3, help="redraw: walks (default 3)")
    parser.add_argument(
        "--first", action="store_true", help="time the first recommendation of a process"
    )
    args = parser.parse_args()
    if args.first:
        result = first_recommendation(args.runs)
        printer = print_first
    elif args.redraw:
        result = redraw(args.rounds)
        printer = print_redraw
    else:
        result = start_up(args.runs, args.source)
        printer = print_start_up
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        printer(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
