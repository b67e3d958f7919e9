"""The user's own values that sample code is generated with.

Defaults are obvious placeholders. Endpoints not given explicitly (or discovered, see
``--discover``) are derived from the issuer, and every derived value is reported as an
assumption, because no standard fixes endpoint paths. Secrets are never parameters: generated
code reads them from environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from advisor.core.fields import check_parameters, is_loopback_host
from advisor.core.vocabulary import ENDPOINTS

PLACEHOLDER_ISSUER: Final = "https://auth.example.com"
PLACEHOLDER_CLIENT_ID: Final = "YOUR_CLIENT_ID"


AssumptionKind = Literal[
    "placeholder", "insecure", "derived", "not_discovered", "default", "set_aside", "other"
]
"""What kind of thing a sample assumes: a placeholder value, an issuer on plain http, an
endpoint derived from the issuer (``derived``; ``not_discovered`` after discovery found none), a
template's default value, a value the user gave that this sample cannot use (``set_aside``:
the TUI keeps it for other outcomes), or anything else (a language the recommendation has no
sample in)."""


@dataclass(frozen=True, slots=True)
class Assumption:
    """Something a sample takes for granted that the user should check before running it.

    The command line shows :attr:`text`; a front end with other controls (the TUI) says what
    fixes it in its own words, from :attr:`field` and :attr:`kind`.
    """

    what: str
    """What is assumed, e.g. ``issuer https://auth.example.com is a placeholder``."""
    fix: str | None = None
    """How the command line fixes it, e.g. ``pass --issuer``; None when only checking helps."""
    field: str | None = None
    """The :class:`SampleParams` field it concerns (``issuer``, ``client_id``, an endpoint,
    ``redirect_uri``), or None."""
    kind: AssumptionKind = "other"
    """What kind of assumption it is."""

    @property
    def text(self) -> str:
        """The command line's words: ``what: fix`` (or ``what`` alone)."""
        return f"{self.what}: {self.fix}" if self.fix else self.what


@dataclass(frozen=True, slots=True)
class SampleParams:
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
    discovery: Literal["none", "read", "failed"] = "none"
    """Whether ``--discover`` ran: ``none`` (not asked), ``read`` (the server's metadata was
    read: an endpoint not filled is missing from it), ``failed`` (asked, but the server gave no
    usable metadata). Notes never suggest ``--discover`` once it ran."""

    def with_values(self, **values: object) -> SampleParams:
        """A copy with the given fields replaced; ``None`` values are ignored."""
        known = {f.name for f in fields(self)}
        updates: dict[str, Any] = {k: v for k, v in values.items() if v is not None and k in known}
        return replace(self, **updates)

    def endpoint(self, name: str) -> str:
        """An endpoint URL: given, discovered, or derived from the issuer."""
        value: str | None = getattr(self, name)
        if value:
            return value
        return self.issuer.rstrip("/") + ENDPOINTS[name].default_path

    def assumptions(self, used: tuple[str, ...]) -> tuple[Assumption, ...]:
        """The assumptions behind the values ``used`` by a sample.

        Args:
            used: Names of the endpoint fields a sample uses.
        """
        notes: list[Assumption] = []
        if self.issuer == PLACEHOLDER_ISSUER:
            notes.append(
                Assumption(
                    f"issuer {PLACEHOLDER_ISSUER} is a placeholder",
                    "pass --issuer",
                    "issuer",
                    "placeholder",
                )
            )
        elif self.issuer.startswith("http://") and self.discovery != "read":
            # (after --discover, the server-compatibility findings say it instead)
            notes.append(
                Assumption(
                    f"issuer {self.issuer} uses plain http: fine for a local test server, never "
                    "for a real one",
                    field="issuer",
                    kind="insecure",
                )
            )
        redirects = "authorization_endpoint" in used  # (a flow without one ignores the URI)
        if (
            redirects
            and self.redirect_uri is not None
            and self.redirect_uri.lower().startswith("http://")
        ):
            host = urlsplit(self.redirect_uri).hostname or ""
            if not is_loopback_host(host):
                notes.append(
                    Assumption(
                        f"redirect URI {self.redirect_uri} uses plain http: the authorization "
                        "code would cross the network unencrypted; use https (RFC 6749 "
                        "§3.1.2.1), or a loopback address for an app on the user's device "
                        "(RFC 8252 §7.3)",
                        field="redirect_uri",
                        kind="insecure",
                    )
                )
        if self.client_id == PLACEHOLDER_CLIENT_ID:
            notes.append(
                Assumption(
                    f"client id {PLACEHOLDER_CLIENT_ID} is a placeholder",
                    "pass --client-id",
                    "client_id",
                    "placeholder",
                )
            )
        for name in used:
            if getattr(self, name) is not None:
                continue
            if self.discovery == "read" or self.discovered:
                notes.append(
                    Assumption(
                        f"the server's metadata has no usable {name}; {self.endpoint(name)} is "
                        "derived from the issuer",
                        f"pass {ENDPOINTS[name].flag} if the server has one",
                        name,
                        "not_discovered",
                    )
                )
            elif self.discovery == "failed":
                notes.append(
                    Assumption(
                        f"{name} {self.endpoint(name)} is derived from the issuer, not known "
                        "(discovery found no usable metadata)",
                        f"pass {ENDPOINTS[name].flag}",
                        name,
                        "derived",
                    )
                )
            else:
                notes.append(
                    Assumption(
                        f"{name} {self.endpoint(name)} is derived from the issuer, not known",
                        f"pass {ENDPOINTS[name].flag} or --discover",
                        name,
                        "derived",
                    )
                )
        return tuple(notes)

    def validate(self) -> None:
        """Refuse values that can never be valid: each field's check of
        :data:`advisor.core.fields.FIELD_CHECKS`, the issuer's even when it is the default.

        Raises:
            ParameterError: naming the first value that is wrong and what is wrong with it.
        """
        check_parameters({f.name: getattr(self, f.name) for f in fields(self)})
