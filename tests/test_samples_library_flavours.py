"""Library flavours of the samples (Authlib, openid-client): the catalogue, rendering, that
every flavour is valid code whatever the values, the security rules read off the code, and
the flavours through advise() and the command line.

That each flavour really obtains a token (and fails cleanly) on oidc-provider and
django-oauth-toolkit is tests/integration/test_samples_flavours.py.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from advisor.advice import SampleChoice, advise
from advisor.cli import main
from advisor.core.errors import ParameterError, TemplateError
from advisor.core.vocabulary import (
    ENDPOINTS,
    LANGUAGES,
    LIBRARIES,
    LIBRARY_IDS,
    sample_key,
    sample_label,
)
from advisor.samples import escape
from advisor.samples.catalog import (
    ENV_VARS,
    LIBRARY_GAPS,
    TEMPLATE_DIR,
    TEMPLATES,
    library_gap,
    shipped_flavours,
    shipped_templates,
)
from advisor.samples.params import SampleParams
from advisor.samples.render import RenderedSample, render_sample
from advisor.session import Session
from advisor.tree.models import Tree

ROOT = Path(__file__).resolve().parent.parent
FLAVOURS = [
    (t, spec.language, lib)
    for t, i in TEMPLATES.items()
    for lib in i.libraries
    for spec in [LIBRARIES[lib]]
]
"""(template, language, library) of every shipped flavour."""
VARIANTS = [(t, lang, lib, auth) for t, lang, lib in FLAVOURS for auth in TEMPLATES[t].client_auth]
FILTER = {"python": escape.py, "javascript": escape.js}

HOSTILE_TEXT = "q'uo\"te \\ $HOME `id` $(id) ${IFS} ;</script><!-- \u2028 é 🔐 {{ x }} %s"
HOSTILE_URL = "".join(HOSTILE_TEXT.split())
HOSTILE_SCOPE = "".join(c for c in HOSTILE_URL if c.isascii() and c not in '"\\')


def notes(advice: Any) -> list[str]:
    """The advice's assumptions as the command line prints them."""
    return [a.text for a in advice.assumptions]


def _params(url: str, text: str, scope: str) -> SampleParams:
    return SampleParams(
        issuer="https://as.example/" + url,
        authorization_endpoint="https://as.example/authorize?" + url,
        token_endpoint="https://as.example/token?" + url,
        device_authorization_endpoint="https://as.example/device?" + url,
        backchannel_authentication_endpoint="https://as.example/bc?" + url,
        pushed_authorization_request_endpoint="https://as.example/par?" + url,
        client_id="client-" + text,
        scopes=("openid", "scope-" + scope),
        redirect_uri="http://127.0.0.1:8080/callback?" + url,
        audience="https://api.example/" + text,
        interval=7,
    )


BENIGN = _params("x", "x", "x")
HOSTILE = _params(HOSTILE_URL, HOSTILE_TEXT, HOSTILE_SCOPE)


def _ci_or_skip(reason: str) -> None:
    import os

    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


# --- the vocabulary and the catalogue ----------------------------------------------------------


def test_libraries_are_stated_once() -> None:
    assert tuple(LIBRARIES) == LIBRARY_IDS
    for spec in LIBRARIES.values():
        assert spec.language in LANGUAGES
        assert spec.package in spec.install and spec.versions in spec.install
    assert sample_key("python") == "python" and sample_label("python") == "python"
    assert sample_key("python", "authlib") == "python:authlib"
    assert sample_label("javascript", "openid-client") == "javascript (openid-client)"


def test_the_tested_versions_are_the_documented_ones() -> None:
    """The test extra installs the Authlib range the flavours name; tests/package.json pins an
    openid-client inside the range they name."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["test"]
    assert f"authlib{LIBRARIES['authlib'].versions}" in extra
    pinned = json.loads((ROOT / "tests" / "package.json").read_text())["dependencies"]
    major, minor, _ = (int(p) for p in pinned["openid-client"].split("."))
    wanted = re.fullmatch(r"\^(\d+)\.(\d+)", LIBRARIES["openid-client"].versions)
    assert wanted and major == int(wanted[1]) and minor >= int(wanted[2])


def test_shipped_flavours_match_the_catalogue() -> None:
    assert shipped_flavours() == {
        t: i.libraries for t, i in sorted(TEMPLATES.items()) if i.libraries
    }
    # Flavour files are not template families of their own.
    assert shipped_templates() == {t: i.languages for t, i in sorted(TEMPLATES.items())}


def test_every_missing_flavour_says_why() -> None:
    """Each template has, for each library of one of its languages, a flavour or a reason."""
    for template, info in TEMPLATES.items():
        for library, spec in LIBRARIES.items():
            if spec.language not in info.languages:
                assert (template, library) not in LIBRARY_GAPS
                continue
            has = library in info.libraries
            assert has != ((template, library) in LIBRARY_GAPS), (template, library)
            assert has == (library_gap(template, library) is None)
    for template, library in LIBRARY_GAPS:
        assert template in TEMPLATES and library in LIBRARIES


def test_flavour_files_are_named_by_tag() -> None:
    tags = {spec.tag for spec in LIBRARIES.values()}
    assert tags == {"authlib", "openid_client"}
    for path in TEMPLATE_DIR.glob("*.j2"):
        parts = path.name.split(".")
        if path.name.startswith("_") or len(parts) == 3:
            continue
        assert len(parts) == 4 and parts[1] in tags, path.name


# --- rendering ---------------------------------------------------------------------------------


def test_rendered_flavour_fields() -> None:
    sample = render_sample("client_credentials", "python", SampleParams(), library="authlib")
    assert sample.library == "authlib"
    assert sample.key == "python:authlib" and sample.label == "python (authlib)"
    assert sample.filename == "client_credentials_authlib.py"
    assert sample.env_vars == ("OAUTH_CLIENT_SECRET",)
    js = render_sample("device_code", "javascript", SampleParams(), library="openid-client")
    assert js.filename == "device_code_openid_client.mjs"
    plain = render_sample("client_credentials", "python", SampleParams())
    assert plain.library is None and plain.key == "python" and plain.label == "python"


def test_a_flavour_the_template_lacks_says_why() -> None:
    with pytest.raises(TemplateError, match=r"no authlib flavour: Authlib has no SAML 2\.0"):
        render_sample("saml2_bearer", "python", SampleParams(), library="authlib")
    with pytest.raises(TemplateError, match="is a python library, not a javascript one"):
        render_sample("client_credentials", "javascript", SampleParams(), library="authlib")
    with pytest.raises(TemplateError, match="unknown library"):
        render_sample("client_credentials", "python", SampleParams(), library="requests")


def test_a_users_flavour_template_is_found_in_their_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.authlib.py.j2").write_text("CLIENT_ID = {{ client_id | py }}\n")
    sample = render_sample("mine", "python", SampleParams(), (tmp_path,), library="authlib")
    assert sample.code == 'CLIENT_ID = "YOUR_CLIENT_ID"\n'
    with pytest.raises(TemplateError, match=r"mine\.authlib\.py\.j2 not found"):
        render_sample("mine", "python", SampleParams(), library="authlib")


def _check(program: list[str], path: Path) -> str | None:
    result = subprocess.run(
        [*program, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return None if result.returncode == 0 else (result.stderr or result.stdout)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], str | None]:
    """Every flavour with every client authentication (default values) and with hostile
    values, written out and checked: Python with py_compile, the 3.10 grammar and ruff
    (pyflakes, pycodestyle); JavaScript with node --check."""
    folder = tmp_path_factory.mktemp("flavours")
    jobs = [(t, lang, lib, auth, "default") for t, lang, lib, auth in VARIANTS]
    jobs += [(t, lang, lib, TEMPLATES[t].client_auth[0], "hostile") for t, lang, lib in FLAVOURS]
    paths: dict[tuple[str, ...], tuple[Path, RenderedSample]] = {}
    for t, lang, lib, auth, kind in jobs:
        base = BENIGN if kind == "default" else HOSTILE
        sample = render_sample(t, lang, base.with_values(client_auth=auth), library=lib)
        sub = folder / f"{t}-{lib}-{auth}-{kind}"
        sub.mkdir()
        path = sub / sample.filename
        path.write_text(sample.code, encoding="utf-8")
        paths[(t, lang, lib, auth, kind)] = (path, sample)
    errors: dict[tuple[str, ...], str | None] = dict.fromkeys(paths)
    pys = {k: v for k, v in paths.items() if k[1] == "python"}
    for key, (path, sample) in pys.items():
        try:
            compile(sample.code, str(path), "exec")
            ast.parse(sample.code, feature_version=(3, 10))
        except SyntaxError as exc:
            errors[key] = f"{path}: {exc}"
    ruff = shutil.which("ruff")
    if ruff:
        lint = subprocess.run(
            [
                ruff,
                "check",
                "--isolated",
                "--no-cache",
                "--select",
                "E,W,F",
                "--line-length",
                "100",
                "--output-format",
                "concise",
                *(str(p) for p, _ in pys.values()),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for key, (path, _) in pys.items():
            lines = [line for line in lint.stdout.splitlines() if line.startswith(str(path))]
            if key[-1] == "hostile":  # long values make long lines, and that is fine
                lines = [line for line in lines if " E501 " not in line]
            if lines and errors[key] is None:
                errors[key] = "\n".join(lines)
    node = shutil.which("node")
    if node:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                key: pool.submit(_check, [node, "--check"], path)
                for key, (path, _) in paths.items()
                if key[1] == "javascript"
            }
            for key, future in futures.items():
                errors[key] = future.result()
    return errors


@pytest.mark.parametrize(("template", "language", "library", "client_auth"), VARIANTS)
def test_every_flavour_is_valid_code(
    checked: dict[tuple[str, ...], str | None],
    template: str,
    language: str,
    library: str,
    client_auth: str,
) -> None:
    if language == "javascript" and not shutil.which("node"):
        _ci_or_skip("node is not on PATH: cannot syntax-check JavaScript samples")
    error = checked[(template, language, library, client_auth, "default")]
    assert error is None, error


@pytest.mark.parametrize(("template", "language", "library"), FLAVOURS)
def test_hostile_values_are_valid_code(
    checked: dict[tuple[str, ...], str | None], template: str, language: str, library: str
) -> None:
    if language == "javascript" and not shutil.which("node"):
        _ci_or_skip("node is not on PATH: cannot syntax-check JavaScript samples")
    error = checked[(template, language, library, TEMPLATES[template].client_auth[0], "hostile")]
    assert error is None, error


@pytest.mark.parametrize(("template", "language", "library"), FLAVOURS)
def test_hostile_values_change_nothing_but_their_literals(
    template: str, language: str, library: str
) -> None:
    """Values enter a flavour only through the literal filters."""
    benign = render_sample(template, language, BENIGN, library=library).code
    hostile = render_sample(template, language, HOSTILE, library=library).code
    literal = FILTER[language]
    for field in ("issuer", "client_id", "redirect_uri", "audience", *ENDPOINTS):
        hostile = hostile.replace(literal(getattr(HOSTILE, field)), literal(getattr(BENIGN, field)))
    hostile = hostile.replace(literal(" ".join(HOSTILE.scopes)), literal(" ".join(BENIGN.scopes)))
    assert hostile == benign
    assert HOSTILE_TEXT not in hostile
    bad = {c for c in hostile if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")}
    assert not bad


def _header(sample: RenderedSample) -> str:
    if sample.language == "python":
        return ast.get_docstring(ast.parse(sample.code)) or ""
    lines = []
    for line in sample.code.splitlines()[1:]:
        if not line.startswith("//"):
            break
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize(("template", "language", "library", "client_auth"), VARIANTS)
def test_header_says_what_to_install_and_documents_the_environment(
    template: str, language: str, library: str, client_auth: str
) -> None:
    sample = render_sample(
        template, language, SampleParams(client_auth=client_auth), library=library
    )
    header = _header(sample)
    body = sample.code.replace(header, "")
    assert "Generated by grant-advisor" in header
    assert sample.filename in header
    assert LIBRARIES[library].install in header
    assert LIBRARIES[library].versions in header
    for name in sample.env_vars:
        assert name in header, f"{name} is read but not documented in the header"
        if name == "BROWSER" and language == "python":
            continue  # read by Python's webbrowser module
        assert re.search(rf"\b{name}\b", body), f"{name} is documented but never read"
    # What the code reads from the environment (not OAUTH_TIMEOUT, an openid-client error code).
    read = r"(?:require_env\(|os\.environ\.get\(|requireEnv\(|process\.env\.)['\"]?([A-Z_]+)"
    used = set(re.findall(read, body))
    assert used, "every flavour reads something from the environment"
    assert used <= set(ENV_VARS) and used <= set(sample.env_vars)


def _call(code: str, start: int) -> str:
    """The arguments of the call whose "(" ends just before ``start``."""
    depth = 1
    for end in range(start, len(code)):
        depth += {"(": 1, ")": -1}.get(code[end], 0)
        if depth == 0:
            return code[start:end]
    raise AssertionError(f"unbalanced call at {start}")


def _code(sample: RenderedSample) -> str:
    mark = "//" if sample.language == "javascript" else "#"
    lines = sample.code.splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(mark))


@pytest.mark.parametrize(("template", "language", "library", "client_auth"), VARIANTS)
def test_secrets_come_from_the_environment_only(
    template: str, language: str, library: str, client_auth: str
) -> None:
    """The same variables as the dependency-free samples: a secret or key is read from the
    environment where it is used, never a parameter of the generated code."""
    sample = render_sample(
        template, language, SampleParams(client_auth=client_auth), library=library
    )
    plain = render_sample(template, language, SampleParams(client_auth=client_auth))
    code = _code(sample)
    expected = {
        "client_secret_basic": "OAUTH_CLIENT_SECRET",
        "client_secret_post": "OAUTH_CLIENT_SECRET",
        "private_key_jwt": "OAUTH_PRIVATE_KEY_FILE",
    }.get(client_auth)
    if expected:
        read = f'require_env("{expected}")' if language == "python" else f"requireEnv('{expected}')"
        assert read in code
    assert sample.env_vars == plain.env_vars


@pytest.mark.parametrize(("template", "language", "library", "client_auth"), VARIANTS)
def test_requests_never_follow_redirects(
    template: str, language: str, library: str, client_auth: str
) -> None:
    """Authlib: every token call goes with allow_redirects=False and a compliance hook that
    reports a redirect; openid-client never follows one (its requests use redirect:
    'manual'), and the flavour reports it."""
    code = _code(
        render_sample(template, language, SampleParams(client_auth=client_auth), library=library)
    )
    if language == "python":
        direct = [
            _call(code, m.end())
            for m in re.finditer(r"\.(?:fetch_token|refresh_token|post)\(", code)
        ]
        wrapped = re.findall(
            r"oauth_call\(\s*\"[^\"]+\",\s*session\.(?:fetch_token|refresh_token),", code
        )
        assert direct or wrapped, "every python flavour makes a request"
        for call in direct:
            assert "allow_redirects=False" in call, call
        assert 'register_compliance_hook("access_token_response", not_redirected)' in code
        assert 'register_compliance_hook("refresh_token_response", not_redirected)' in code
        assert "return call(*args, allow_redirects=False, **kwargs)" in code
    else:
        assert "response.status >= 300 && response.status < 400" in code
        assert "redirect:" not in code  # nothing overrides openid-client's 'manual'


@pytest.mark.parametrize(
    ("template", "language", "library"),
    [f for f in FLAVOURS if f[0].startswith("authorization_code")],
)
def test_sign_in_uses_pkce_s256_and_checks_state_and_issuer(
    template: str, language: str, library: str
) -> None:
    code = _code(render_sample(template, language, SampleParams(), library=library))
    if language == "python":
        assert 'code_challenge_method="S256"' in code
        assert "code_verifier=verifier" in code and "state=" in code
        assert 'params["iss"] != ISSUER' in code
    else:
        assert "code_challenge_method: 'S256'" in code
        assert "expectedState:" in code and "pkceCodeVerifier:" in code
        # openid-client compares iss with the configuration's issuer itself.
        assert "issuer: ISSUER" in code
    if template == "authorization_code_loopback":
        assert "127.0.0.1" in code and ("webbrowser.open" in code or "openBrowser(" in code)


def test_openid_client_allows_plain_http_only_for_an_http_issuer() -> None:
    def code(issuer: str) -> str:
        params = SampleParams(issuer=issuer)
        return render_sample(
            "client_credentials", "javascript", params, library="openid-client"
        ).code

    assert "allowInsecureRequests" not in code("https://as.example")
    assert "client.allowInsecureRequests(config);" in code("http://127.0.0.1:9000")


def test_authlib_client_secret_basic_form_encodes_before_base64() -> None:
    """Authlib's own client_secret_basic skips RFC 6749 §2.3.1's encoding: the flavour
    registers one that does it (the end-to-end test's secret holds %, +, : and a space)."""
    code = render_sample("client_credentials", "python", SampleParams(), library="authlib").code
    assert 'register_client_auth_method(("client_secret_basic", client_secret_basic))' in code
    assert "urllib.parse.quote_plus(client.client_id)" in code
    assert "urllib.parse.quote_plus(client.client_secret)" in code


# --- advise() and the command line -------------------------------------------------------------


def _loopback(shipped_tree: Tree) -> Session:
    return Session.replay(
        shipped_tree,
        [("situation", "person_present"), ("client_location", "cli"), ("cli_where", "laptop")],
    )


def test_advise_replaces_a_languages_sample_with_its_flavour(shipped_tree: Tree) -> None:
    advice = advise(_loopback(shipped_tree), libraries=["authlib"])
    assert list(advice.samples) == ["curl", "python:authlib", "javascript"]
    assert advice.samples["python:authlib"].label == "python (authlib)"
    assert list(advice.code) == list(advice.samples)
    both = advise(_loopback(shipped_tree), libraries=["openid-client", "authlib"])
    assert list(both.samples) == ["curl", "python:authlib", "javascript:openid-client"]
    plain = advise(_loopback(shipped_tree))
    assert list(plain.samples) == ["curl", "python", "javascript"]


def test_advise_falls_back_with_a_note_for_a_missing_flavour(shipped_tree: Tree) -> None:
    session = Session.replay(
        shipped_tree,
        [("situation", "hold_token"), ("held_credential", "saml")],
    )
    advice = advise(session, languages=["python"], libraries=["authlib"])
    assert list(advice.samples) == ["python"]
    assert any(
        a.startswith("no authlib flavour of this recommendation's sample (Authlib has no SAML")
        for a in notes(advice)
    ), notes(advice)


def test_advise_notes_a_library_whose_language_is_not_shown(shipped_tree: Tree) -> None:
    advice = advise(_loopback(shipped_tree), languages=["curl"], libraries=["authlib"])
    assert list(advice.samples) == ["curl"]
    assert "--library authlib is for python, and no python sample is shown" in notes(advice)


def test_advise_for_a_chosen_sample_raises_for_a_missing_flavour() -> None:
    with pytest.raises(TemplateError, match="no openid-client flavour"):
        advise(
            SampleChoice("saml2_bearer", "saml2_bearer"),
            languages=["javascript"],
            libraries=["openid-client"],
        )
    with pytest.raises(ParameterError, match="unknown library"):
        advise(
            SampleChoice("client_credentials", "client_credentials"),
            languages=["python"],
            libraries=["pip"],
        )


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_library_implies_its_language(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "sample", "client_credentials", "--library", "openid-client")
    assert code == 0 and "import * as client from 'openid-client';" in out
    code, out, _ = _cli(capsys, "sample", "device_code", "--lang", "python", "--library", "authlib")
    assert code == 0 and "from authlib.integrations.requests_client import OAuth2Session" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["sample", "saml2_bearer", "--library", "authlib"],
            "has no authlib flavour: Authlib has no SAML",
        ),
        (
            ["sample", "client_credentials", "--lang", "javascript", "--library", "authlib"],
            "--library authlib is a python library, not a javascript one",
        ),
        (
            ["sample", "client_credentials", "--library", "authlib", "--library", "openid-client"],
            "give one --library",
        ),
        (
            [
                "ask",
                "-a",
                "situation=person_present",
                "-a",
                "client_location=cli",
                "-a",
                "cli_where=laptop",
                "--lang",
                "curl",
                "--library",
                "authlib",
            ],
            "--library authlib is a python library: add --lang python",
        ),
        (
            ["ask", "-a", "situation=person_present", "--lang", "none", "--library", "authlib"],
            "--lang none for none",
        ),
    ],
)
def test_flavour_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = _cli(capsys, *argv)
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_ask_shows_flavours_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    answers = [
        "-a", "situation=person_present", "-a", "client_location=cli", "-a", "cli_where=laptop",
    ]  # fmt: skip
    code, out, _ = _cli(capsys, "ask", *answers, "--library", "authlib")
    assert code == 0 and "── sample: python (authlib) " in out and "── sample: curl " in out
    code, out, _ = _cli(capsys, "ask", *answers, "--library", "openid-client", "-f", "markdown")
    assert code == 0 and "### javascript (openid-client)\n" in out and "```javascript" in out
    code, out, _ = _cli(
        capsys, "ask", *answers, "--library", "authlib", "--lang", "python", "-f", "json"
    )
    recommendation = json.loads(out)["recommendation"]
    assert list(recommendation["samples"]) == ["python:authlib"]
    assert recommendation["sample_files"] == {
        "python:authlib": {
            "language": "python",
            "library": "authlib",
            "label": "python (authlib)",
            "filename": "authorization_code_loopback_authlib.py",
            "env_vars": ["OAUTH_REFRESH_TOKEN_FILE", "BROWSER"],
        }
    }


def test_sample_list_shows_the_flavours(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "sample", "--list")
    assert code == 0
    assert "  client_credentials (curl, python, javascript; authlib, openid-client)\n" in out
    assert "  saml2_bearer (curl, python, javascript)\n" in out


def test_python_flavours_run_in_this_interpreter() -> None:
    """Every import a python flavour makes exists in the Authlib the test extra installs (the
    end-to-end tests run them; this names a renamed module quickly)."""
    pytest.importorskip("authlib")
    for template, language, library in FLAVOURS:
        if language != "python":
            continue
        code = render_sample(template, language, SampleParams(), library=library).code
        imports = [line for line in code.splitlines() if line.startswith(("import ", "from "))]
        result = subprocess.run(
            [sys.executable, "-c", "\n".join(imports)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, (template, result.stderr)
