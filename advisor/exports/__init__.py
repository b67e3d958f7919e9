"""Pure functions from engine values to text: JSON-ready data, plain text, Markdown, Mermaid.

Nothing here writes files except :mod:`advisor.exports.files`, which does it atomically.
"""
