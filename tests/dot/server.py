"""A django-oauth-toolkit authorization server on loopback, for grant-advisor's sample tests.

Run by the ``dot_server`` fixture of tests/support/dot.py as ``python tests/dot/server.py``
with ``DOT_TEST_DIR`` naming a temporary folder (the SQLite database goes there). It:

1. binds 127.0.0.1 on an ephemeral port (loopback only);
2. generates the RSA key that signs ID tokens, and a random Django SECRET_KEY;
3. starts Django (tests/dot/project/settings.py), migrates the database, creates the users
   and OAuth applications below;
4. prints one JSON line on stdout: ``{"issuer", "origin", "port", "clients", "users",
   "versions"}``, with each client's id, secret, type, grant and redirect URI;
5. serves with wsgiref (a thread per request) until stdin closes, then exits.

Users (password = login + "-password"): alice and bob. Applications (django-oauth-toolkit
allows one grant type per application; authorization code and device code applications may
also use the refresh_token grant):

    client_id        type          grant                 redirect URI
    web-app          confidential  authorization code    http://127.0.0.1/callback
    native-app       public        authorization code    http://127.0.0.1/callback
    service          confidential  client credentials    -
    tv               public        device code           -
    tv-confidential  confidential  device code           -

A loopback redirect URI matches on any port (RFC 8252 §7.3, which the toolkit follows for
127.0.0.1). The confidential clients' secret holds %, +, :, / and a space, so only client
authentication encoded as RFC 6749 §2.3.1 says works. The toolkit accepts client_secret_basic
and client_secret_post from every confidential client.

TEST CODE ONLY: debug off but a throwaway key, weak password hashing, no TLS.
"""

from __future__ import annotations

import json
import os
import socketserver
import sys
import threading
from importlib.metadata import version
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

HERE = Path(__file__).resolve().parent
SECRET = "dot s3cret: with %, + and /="
USERS = ("alice", "bob")
REDIRECT_URI = "http://127.0.0.1/callback"


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class LogHandler(WSGIRequestHandler):
    """One line a request on stderr (the fixture's log file), without reverse DNS."""

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def rsa_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def create_clients() -> dict[str, dict[str, str | None]]:
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    user_model = get_user_model()
    for login in USERS:
        user_model.objects.create_user(login, password=login + "-password")
    application = get_application_model()
    confidential, public = application.CLIENT_CONFIDENTIAL, application.CLIENT_PUBLIC
    specs = [
        ("web-app", confidential, application.GRANT_AUTHORIZATION_CODE, REDIRECT_URI),
        ("native-app", public, application.GRANT_AUTHORIZATION_CODE, REDIRECT_URI),
        ("service", confidential, application.GRANT_CLIENT_CREDENTIALS, ""),
        ("tv", public, application.GRANT_DEVICE_CODE, ""),
        ("tv-confidential", confidential, application.GRANT_DEVICE_CODE, ""),
    ]
    clients: dict[str, dict[str, str | None]] = {}
    for client_id, client_type, grant, redirect_uri in specs:
        secret = SECRET if client_type == confidential else ""
        application.objects.create(
            name=client_id,
            client_id=client_id,
            client_secret=secret,
            client_type=client_type,
            authorization_grant_type=grant,
            redirect_uris=redirect_uri,
            algorithm=application.RS256_ALGORITHM,
        )
        clients[client_id] = {
            "client_id": client_id,
            "client_secret": secret or None,
            "client_type": client_type,
            "grant_type": grant,
            "redirect_uri": redirect_uri or None,
        }
    return clients


def main() -> int:
    folder = Path(os.environ["DOT_TEST_DIR"])
    httpd = make_server("127.0.0.1", 0, lambda e, s: [], ThreadingWSGIServer, LogHandler)
    origin = f"http://127.0.0.1:{httpd.server_port}"
    os.environ.update(
        {
            "DOT_TEST_ORIGIN": origin,
            "DOT_TEST_DB": str(folder / "db.sqlite3"),
            "DOT_TEST_RSA_KEY": rsa_key_pem(),
            "DJANGO_SETTINGS_MODULE": "project.settings",
        }
    )
    sys.path.insert(0, str(HERE))
    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    clients = create_clients()
    httpd.set_app(get_wsgi_application())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    ready = {
        "issuer": origin + "/o",
        "origin": origin,
        "port": httpd.server_port,
        "pid": os.getpid(),
        "clients": clients,
        "users": {login: login + "-password" for login in USERS},
        "versions": {
            name: version(name) for name in ("django", "django-oauth-toolkit", "oauthlib")
        },
    }
    print(json.dumps(ready), flush=True)
    sys.stdin.read()  # until the test process closes it (or dies)
    httpd.shutdown()
    httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
