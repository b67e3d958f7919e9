"""Running generated samples as a user would: write the file, run it as a subprocess with a
timeout, and look at what it printed. Shared by the end-to-end tests against oidc-provider,
django-oauth-toolkit and the scripted servers."""

from __future__ import annotations

import datetime
import ipaddress
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from advisor.samples.params import SampleParams
from advisor.samples.render import render_sample

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
"""The test tools' Node packages (tests/package.json), openid-client among them."""
LANGUAGES = ("curl", "python", "javascript")
"""Every sample language, in display order."""
TIMEOUT = 30.0
"""Seconds a sample run may take."""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def _runner(language: str) -> list[str]:
    if language == "python":
        return [sys.executable]
    program = {"curl": "bash", "javascript": "node"}[language]
    path = shutil.which(program)
    if path is None:
        _missing(f"{program} is not on PATH")
    if language == "curl" and shutil.which("curl") is None:
        _missing("curl is not on PATH")
    return [str(path)]


def _require_library(library: str) -> None:
    """Skip (or fail on CI) when a flavour's library is not installed where the tests run:
    Authlib in this Python, openid-client in tests/node_modules (``npm ci --prefix tests``)."""
    if library == "authlib":
        try:
            import authlib  # noqa: F401
        except ImportError:
            _missing("Authlib is not installed (pip install -e '.[test]')")
    elif (
        library == "openid-client"
        and not (NODE_MODULES / "openid-client" / "package.json").is_file()
    ):
        _missing(f"openid-client is not in {NODE_MODULES}; run npm ci --prefix tests")


def _require_pyjwt() -> None:
    try:
        import jwt  # noqa: F401
    except ImportError:
        _missing("PyJWT is not installed (pip install 'pyjwt[crypto]'); the python sample needs it")


@dataclass
class Run:
    """A finished sample run."""

    language: str
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (
            f"{self.language} sample exited {self.returncode}\n--- stdout ---\n{self.stdout}"
            f"\n--- stderr ---\n{self.stderr}"
        )

    def assert_token(self) -> None:
        assert self.returncode == 0, str(self)
        assert re.search(r"^access_token: \S{8}\.\.\. \(\d+ characters\)$", self.stdout, re.M), str(
            self
        )

    def assert_error(self, *words: str) -> None:
        assert self.returncode == 1, str(self)
        first = self.stderr.strip().splitlines()[-1] if self.stderr.strip() else ""
        assert first.startswith("error: "), str(self)
        for word in words:
            assert word in first, str(self)


def write_sample(
    folder: Path,
    template: str,
    language: str,
    params: SampleParams,
    library: str | None = None,
) -> tuple[Path, list[str]]:
    """Renders a sample (``library``'s flavour, if given) into ``folder``; returns its path
    and the command that runs it. For an openid-client flavour, ``folder/node_modules`` links
    to tests/node_modules, as ``npm install openid-client`` in the user's folder would make
    the import resolve."""
    if library is not None:
        _require_library(library)
    sample = render_sample(template, language, params, library=library)
    folder.mkdir(parents=True, exist_ok=True)
    if library == "openid-client" and not (folder / "node_modules").exists():
        (folder / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    path = folder / sample.filename
    path.write_text(sample.code, encoding="utf-8")
    return path, [*_runner(language), str(path)]


def run(
    command: list[str],
    env: Mapping[str, str],
    *,
    react: Callable[[str], str | None] | None = None,
    timeout: float = TIMEOUT,
) -> Run:
    """Runs a sample; ``react`` sees each stdout line and may answer with a line on stdin."""
    language = {"bash": "curl", "node": "javascript"}.get(Path(command[0]).name, "python")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(
            command,
            cwd=Path(command[-1]).parent,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        lines: list[str] = []
        try:
            assert proc.stdout is not None and proc.stdin is not None
            for line in proc.stdout:
                lines.append(line)
                reply = react(line) if react else None
                if reply is not None:
                    proc.stdin.write(reply + "\n")
                    proc.stdin.flush()
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
            if proc.stdin:
                proc.stdin.close()
        err.seek(0)
        stderr = err.read()
    if proc.returncode < 0:
        stderr += f"\n(killed after the {timeout:.0f} s timeout)"
    return Run(language, proc.returncode, "".join(lines), stderr)


def make_pki(folder: Path) -> dict[str, str]:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    files: dict[str, str] = {}

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def save(label: str, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
        key_path, cert_path = folder / f"{label}.key", folder / f"{label}.crt"
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        files[f"{label}_key"], files[f"{label}_cert"] = str(key_path), str(cert_path)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("test ca"))
        .issuer_name(name("test ca"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    save("ca", ca_key, ca)
    files["ca"] = files["ca_cert"]
    for label, cn in (("server", "127.0.0.1"), ("client", "mtls-client")):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
        )
        if label == "server":
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        save(label, key, builder.sign(ca_key, hashes.SHA256()))
    return files


# --- authorization code ------------------------------------------------------------------------


def run_server(
    command: list[str],
    env: Mapping[str, str],
    on_line: Callable[[str], None],
    stop: threading.Event,
) -> Run:
    """Runs a sample web server; ``on_line`` drives it (in a thread); stops it after."""
    lines: queue.Queue[str | None] = queue.Queue()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen(
            command,
            cwd=Path(command[-1]).parent,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        out: list[str] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        errors: list[BaseException] = []
        deadline = time.monotonic() + TIMEOUT
        try:
            while time.monotonic() < deadline:
                try:
                    line = lines.get(timeout=0.1)
                except queue.Empty:
                    if stop.is_set():
                        break
                    continue
                if line is None:
                    break
                out.append(line)
                try:
                    on_line(line)
                except BaseException as exc:  # report after the server is stopped
                    errors.append(exc)
                    break
            time.sleep(0.2)  # let the server finish writing its log lines
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            reader.join(timeout=5)
        while not lines.empty():
            line = lines.get()
            if line:
                out.append(line)
        err.seek(0)
        result = Run("server", proc.returncode, "".join(out), err.read())
    if errors:
        raise AssertionError(str(result)) from errors[0]
    return result


BROWSER_DRIVER = """\
// Runs the browser sample in Node with the few browser globals it touches stubbed.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const store = new Map();
globalThis.sessionStorage = {
  getItem: (key) => (store.has(key) ? store.get(key) : null),
  setItem: (key, value) => store.set(key, String(value)),
  removeItem: (key) => store.delete(key),
};
let assigned;
globalThis.window = {
  location: { origin: 'http://127.0.0.1', pathname: '/callback', search: '',
    assign: (url) => { assigned = url; } },
  history: { replaceState: () => { window.location.search = ''; } },
};
const app = await import(pathToFileURL(process.argv[2]).href);
await app.signIn();
console.log(`Open ${assigned}`);
const lines = createInterface({ input: process.stdin });
const callback = await new Promise((resolve) => lines.once('line', resolve));
lines.close();
window.location.search = new URL(callback).search;
try {
  await app.handleCallback();
  const token = app.accessToken();
  console.log(`access_token: ${token.slice(0, 8)}... (${token.length} characters)`);
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(1);
}
"""
