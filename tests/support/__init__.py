"""Helpers shared by the test files (no test file imports another).

- :mod:`support.paths`: where the test data is.
- :mod:`support.oidc`: the oidc-provider test server (a pytest plugin: its fixtures).
- :mod:`support.fake_browser`: a headless "browser" that logs in and consents (also a
  program, for ``BROWSER=``).
- :mod:`support.metadata_stub`: a local metadata server for discovery tests.
- :mod:`support.provider_metadata`: real providers' metadata documents (tests/data/metadata/)
  served on the stub as their providers publish them, and walks to a tree's outcomes.
- :mod:`support.tui`: driving the TUI through Textual's pilot.
"""
