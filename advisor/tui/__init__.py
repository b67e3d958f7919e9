"""The interactive walk: a Textual app on top of the engine.

``import advisor.tui`` imports no Textual (the CLI and the boundary tests rely on that):
:func:`run` imports the app inside the function.

Layout::

    advisor/tui/
    ├── __init__.py          run(): load, run the app, return the exit code
    ├── app.py               GrantAdvisorApp: owns the Session, turns messages into engine calls
    ├── messages.py          what screens post up (Answered, Back, Restart, Revisit, ...)
    ├── state.py             plain-Python engine calls (samples, export text, parameter checks)
    ├── typeahead.py         KeyQueue: keys typed during a screen change wait for their turn
    ├── screens/             one screen per file: walk, recommendation, parameters, export,
    │                        confirm, help, error
    ├── widgets/             the breadcrumb and the choice list, shared by screens
    └── grant_advisor.tcss   all the styling, with theme variables
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def run(tree_path: str | None = None, template_dirs: Sequence[Path] = ()) -> int:
    """Run the TUI until the user quits; return the process exit code.

    A tree that fails to load is shown in an error screen; once the user closes it the
    problems are printed to stderr too (they stay in the scrollback) and the code is 2.
    """
    from advisor.tui.app import GrantAdvisorApp

    app = GrantAdvisorApp(tree_path=tree_path, template_dirs=tuple(template_dirs))
    app.run()
    if app.load_error is not None:
        from advisor.tui.state import error_lines

        for line in error_lines(app.load_error):
            print(line, file=sys.stderr)
    code = app.return_code
    return 0 if code is None else code
