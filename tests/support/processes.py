"""Running grant-advisor in a fresh interpreter, to see which modules a command loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"
HEAVY = ("textual", "jinja2", "httpx", "rich")

PROBE = """
import json, sys
from advisor.cli import main
code = main({argv!r})
sys.stdout.flush()
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
print("\\nMODULES=" + json.dumps([code, loaded]))
"""


def modules_loaded_by(argv: list[str]) -> tuple[int, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    marker = result.stdout.rsplit("MODULES=", 1)
    assert len(marker) == 2, result.stderr
    code, loaded = json.loads(marker[1])
    return code, loaded
