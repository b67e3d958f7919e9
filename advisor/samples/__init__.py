"""Sample code for recommendations, rendered from Jinja2 templates.

:mod:`advisor.samples.catalog` only knows where templates live (no Jinja2 import), so tree
checks stay cheap; :mod:`advisor.samples.render` renders them.
"""
