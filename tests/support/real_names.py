"""Serving metadata under a provider's real host name, on loopback, over TLS.

The discovery tests can serve a document exactly as its provider publishes it, with no
rewriting at all: a throwaway certificate authority signs a certificate for the real host
names, the stub server speaks TLS with it, ``SSL_CERT_FILE`` points discovery at that
authority (the one setting discovery honours, see advisor.server.fetch), and name resolution
of those hosts is patched to the stub's loopback port, inside the test process only.

    with real_host_names(monkeypatch, tmp_path, ["accounts.google.com"]) as serve_tls:
        stub = serve_tls("accounts.google.com")   # a started MetadataStub on loopback
        stub.json("/.well-known/openid-configuration", google_document)
        discover("https://accounts.google.com")
"""

from __future__ import annotations

import contextlib
import datetime
import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from support.metadata_stub import MetadataStub


def _certificates(tmp_path: Path, hosts: Sequence[str]) -> tuple[Path, Path, Path]:
    """A CA certificate, and a server certificate and key for ``hosts`` signed by it (PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("grant-advisor test CA"))
        .issuer_name(name("grant-advisor test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ca_usage, critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(hosts[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@contextlib.contextmanager
def real_host_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hosts: Sequence[str]
) -> Iterator[Callable[[str], MetadataStub]]:
    """Within the block, ``https://HOST`` for each of ``hosts`` reaches a loopback TLS stub
    (one per host, started by the function the block receives) and is trusted."""
    ca_file, cert_file, key_file = _certificates(tmp_path, hosts)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    ports: dict[str, int] = {}
    stubs: list[MetadataStub] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.lower() in ports:
            return real_getaddrinfo("127.0.0.1", ports[host.lower()], *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    def serve_tls(host: str) -> MetadataStub:
        stub = MetadataStub()
        stub.server.socket = context.wrap_socket(stub.server.socket, server_side=True)
        ports[host.lower()] = stub.port
        stubs.append(stub.__enter__())
        return stub

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    try:
        yield serve_tls
    finally:
        for stub in stubs:
            stub.__exit__(None, None, None)
