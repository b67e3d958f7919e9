"""grant-advisor: pick the right OAuth 2.x flow and get working code for it.

The engine (models, loader, checks, session, samples, exports) is plain Python and never
imports Textual; the TUI in :mod:`advisor.tui` is a thin view over it.
"""

__version__ = "0.1.0"
