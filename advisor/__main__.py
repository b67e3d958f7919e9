"""``python -m advisor`` runs the same command line as ``grant-advisor``."""

from advisor.cli import main

raise SystemExit(main())
