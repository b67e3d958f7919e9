"""The django-oauth-toolkit test server's Django project (see tests/dot/server.py)."""
