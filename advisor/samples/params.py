"""The user's own values that sample code is generated with.

Defaults are obvious placeholders. Endpoints not given explicitly (or discovered, see
``--discover``) are derived from the issuer, and every derived value is reported as an
assumption, because no standard fixes endpoint paths. Secrets are never parameters: generated
code reads them from environment variables.
"""

from __future__ import annotations

from typing import Final

from advisor.record import Record, fields, replace

PLACEHOLDER_ISSUER: Final = "https://auth.example.com"
PLACEHOLDER_CLIENT_ID: Final = "YOUR_CLIENT_ID"

ENDPOINT_PATHS: Final[dict[str, str]] = {
    "authorization_endpoint": "/authorize",
    "token_endpoint": "/token",
    "device_authorization_endpoint": "/device_authorization",
    "backchannel_authentication_endpoint": "/bc-authorize",
    "pushed_authorization_request_endpoint": "/par",
}
"""Paths appended to the issuer when an endpoint is neither given nor discovered."""

ENDPOINT_FLAGS: Final[dict[str, str]] = {
    "authorization_endpoint": "--authorization-endpoint",
    "token_endpoint": "--token-endpoint",
    "device_authorization_endpoint": "--device-authorization-endpoint",
    "backchannel_authentication_endpoint": "--backchannel-endpoint",
    "pushed_authorization_request_endpoint": "--par-endpoint",
}
"""The command-line flag that sets each endpoint."""


class SampleParams(Record):
    """Values a user supplies for generated code (CLI flags, TUI form, discovery)."""

    issuer: str = PLACEHOLDER_ISSUER
    """The authorization server's issuer identifier (an https URL)."""
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    device_authorization_endpoint: str | None = None
    backchannel_authentication_endpoint: str | None = None
    pushed_authorization_request_endpoint: str | None = None
    client_id: str = PLACEHOLDER_CLIENT_ID
    """The client's id as registered with the authorization server."""
    scopes: tuple[str, ...] = ()
    """Scopes to request; empty means each template's sensible default."""
    redirect_uri: str | None = None
    """Redirect URI; None means each template's default (loopback for native apps)."""
    audience: str | None = None
    """Target API (RFC 8707 ``resource`` / RFC 8693 ``audience``), when the flow uses one."""
    interval: int | None = None
    """Override of the polling interval in seconds (device code, CIBA); None: server's or 5."""
    client_auth: str | None = None
    """Token endpoint client authentication (``client_secret_basic``, ``client_secret_post``,
    ``none``, ...); None means the template's default. Templates support different sets: see
    ``advisor.samples.catalog.TEMPLATES``."""
    discovered: frozenset[str] = frozenset()
    """Names of endpoints filled from the server's metadata (not assumptions)."""

    def with_values(self, **values: object) -> SampleParams:
        """A copy with the given fields replaced; ``None`` values are ignored."""
        known = fields(self)
        updates = {k: v for k, v in values.items() if v is not None and k in known}
        return replace(self, **updates)

    def endpoint(self, name: str) -> str:
        """An endpoint URL: given, discovered, or derived from the issuer."""
        value: str | None = getattr(self, name)
        if value:
            return value
        return self.issuer.rstrip("/") + ENDPOINT_PATHS[name]

    def assumptions(self, used: tuple[str, ...]) -> tuple[str, ...]:
        """Human-readable assumptions behind the values ``used`` by a sample.

        Args:
            used: Names of the endpoint fields a sample uses.
        """
        notes: list[str] = []
        if self.issuer == PLACEHOLDER_ISSUER:
            notes.append(f"issuer {PLACEHOLDER_ISSUER} is a placeholder: pass --issuer")
        elif self.issuer.startswith("http://") and not self.discovered:
            # (after --discover, the server-compatibility findings say it instead)
            notes.append(
                f"issuer {self.issuer} uses plain http: fine for a local test server, never "
                "for a real one"
            )
        if self.client_id == PLACEHOLDER_CLIENT_ID:
            notes.append(f"client id {PLACEHOLDER_CLIENT_ID} is a placeholder: pass --client-id")
        for name in used:
            if getattr(self, name) is not None:
                continue
            if self.discovered:
                notes.append(
                    f"the server's metadata has no {name}; {self.endpoint(name)} is derived "
                    f"from the issuer: pass {ENDPOINT_FLAGS[name]} if the server has one"
                )
            else:
                notes.append(
                    f"{name} {self.endpoint(name)} is derived from the issuer, not known: "
                    f"pass {ENDPOINT_FLAGS[name]} or --discover"
                )
        return tuple(notes)

    def validate(self) -> None:
        """Refuse values that can never be valid (see :mod:`advisor.urls`).

        Raises:
            ParameterError: naming the value and what is wrong with it.
        """
        from advisor import urls

        urls.check_issuer(self.issuer)
        for name in ENDPOINT_PATHS:
            value = getattr(self, name)
            if value is not None:
                urls.check_server_url(name.replace("_", " "), value)
        urls.check_text("client id", self.client_id)
        for scope in self.scopes:
            urls.check_scope(scope)
        if self.redirect_uri is not None:
            urls.check_redirect_uri(self.redirect_uri)
        if self.audience is not None:
            urls.check_text("audience", self.audience)
