"""Rendering sample code: the API, errors, the sandbox, and that every sample is valid code.

Every (template, language) pair, with every client authentication it supports, is rendered
with default and with hostile parameters; the results are checked in batches (one
``py_compile`` and one ``ruff`` process for all Python files, ``node --check`` and ``bash -n``
in a small thread pool) by a module-scoped fixture, and each pair is then its own test.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest

from advisor.core.errors import ParameterError, TemplateError
from advisor.core.vocabulary import CLIENT_AUTH_METHODS, ENDPOINTS, LANGUAGES
from advisor.samples import escape, jinja
from advisor.samples.catalog import (
    DEFAULT_TEMPLATE,
    ENV_VARS,
    TEMPLATE_DIR,
    TEMPLATES,
    choose_client_auth,
    shipped_templates,
)
from advisor.samples.params import SampleParams
from advisor.samples.render import RenderedSample, render_sample
from advisor.tree.models import ClientAuthMethod, FlowId

HOSTILE = "q'uo\"te \\ $HOME `id` $(id) ${IFS} ;\n</script><!-- \u2028 \u202e é 🔐 {{ x }} %s"
"""Everything that could break a literal; too hostile for the parameter boundary, which
refuses its newline and bidi override (see test_boundary_refuses_what_can_never_be_valid)."""
HOSTILE_TEXT = HOSTILE.replace("\n", " ").replace("\u202e", "")
"""The hostile text a client id or audience may hold: quotes, shell and template syntax,
``</script``, U+2028, non-ASCII."""
HOSTILE_URL = "".join(HOSTILE_TEXT.split())
"""The same without white space, as a URL may hold it."""
HOSTILE_SCOPE = "".join(c for c in HOSTILE_URL if c.isascii() and c not in '"\\')
"""The same within RFC 6749's scope-token grammar."""
FILTER = {"curl": escape.sh, "python": escape.py, "javascript": escape.js}


def _params(url: str, text: str, scope: str) -> SampleParams:
    """Every string parameter set, each ending in a benign or hostile suffix."""
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
HOSTILE_PARAMS = _params(HOSTILE_URL, HOSTILE_TEXT, HOSTILE_SCOPE)
PAIRS = [(t, lang) for t, info in TEMPLATES.items() for lang in info.languages]
VARIANTS = [
    (t, lang, auth)
    for t, info in TEMPLATES.items()
    for auth in info.client_auth
    for lang in info.languages
]


def _ci_or_skip(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


# --- batch syntax check ------------------------------------------------------------------------


@dataclass
class Checked:
    sample: RenderedSample
    path: Path
    error: str | None = None


def _check_one(program: list[str], path: Path) -> str | None:
    result = subprocess.run(
        [*program, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return None if result.returncode == 0 else (result.stderr or result.stdout)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], Checked]:
    """Every variant rendered with default params, every pair with hostile ones, all checked."""
    folder = tmp_path_factory.mktemp("rendered")
    out: dict[tuple[str, ...], Checked] = {}
    jobs = [(t, lang, auth, "default") for t, lang, auth in VARIANTS]
    jobs += [(t, lang, TEMPLATES[t].client_auth[0], "hostile") for t, lang in PAIRS]
    for t, lang, auth, kind in jobs:
        base = SampleParams() if kind == "default" else HOSTILE_PARAMS
        sample = render_sample(t, lang, base.with_values(client_auth=auth))
        sub = folder / f"{t}-{lang}-{auth}-{kind}"
        sub.mkdir()
        path = sub / sample.filename
        path.write_text(sample.code, encoding="utf-8")
        out[(t, lang, auth, kind)] = Checked(sample, path)

    by_lang = {lang: [c for c in out.values() if c.sample.language == lang] for lang in LANGUAGES}
    # Python: one py_compile for all, 3.9 grammar, ruff (pycodestyle and pyflakes: undefined
    # names, unused imports, line length; the samples are what users copy).
    pys = by_lang["python"]
    result = subprocess.run(
        [sys.executable, "-m", "py_compile", *(str(c.path) for c in pys)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    for c in pys:
        if str(c.path) in result.stderr:
            c.error = result.stderr
        else:
            try:
                ast.parse(c.sample.code, feature_version=(3, 9))
            except SyntaxError as exc:
                c.error = f"not Python 3.9 syntax: {exc}"
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
                *(str(c.path) for c in pys),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for c in pys:
            lines = [line for line in lint.stdout.splitlines() if line.startswith(str(c.path))]
            if "hostile" in c.path.parent.name:  # long values make long lines, and that is fine
                lines = [line for line in lines if " E501 " not in line]
            if lines and c.error is None:
                c.error = "\n".join(lines)
    # node --check and bash -n take one file each: a few in parallel.
    node, bash = shutil.which("node"), shutil.which("bash")
    tasks = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for c in by_lang["javascript"]:
            if node:
                tasks.append((c, pool.submit(_check_one, [node, "--check"], c.path)))
        for c in by_lang["curl"]:
            if bash:
                tasks.append((c, pool.submit(_check_one, [bash, "-n"], c.path)))
        for c, future in tasks:
            c.error = c.error or future.result()
    return out


@pytest.mark.parametrize(("template", "language", "client_auth"), VARIANTS)
def test_every_sample_is_valid_code(
    checked: dict[tuple[str, ...], Checked], template: str, language: str, client_auth: str
) -> None:
    if language == "javascript" and not shutil.which("node"):
        _ci_or_skip("node is not on PATH: cannot syntax-check JavaScript samples")
    item = checked[(template, language, client_auth, "default")]
    assert item.error is None, item.error


@pytest.mark.parametrize(("template", "language"), PAIRS)
def test_hostile_values_are_valid_code(
    checked: dict[tuple[str, ...], Checked], template: str, language: str
) -> None:
    if language == "javascript" and not shutil.which("node"):
        _ci_or_skip("node is not on PATH: cannot syntax-check JavaScript samples")
    item = checked[(template, language, TEMPLATES[template].client_auth[0], "hostile")]
    assert item.error is None, item.error


@pytest.mark.parametrize(("template", "language"), PAIRS)
def test_hostile_values_change_nothing_but_their_literals(template: str, language: str) -> None:
    """Rendering with hostile values, then putting the benign values' literals back, gives
    the benign rendering byte for byte: a value can only ever be a literal in the program."""
    benign = render_sample(template, language, BENIGN).code
    hostile = render_sample(template, language, HOSTILE_PARAMS).code
    literal = FILTER[language]
    for field in ("issuer", "client_id", "redirect_uri", "audience", *ENDPOINTS):
        hostile = hostile.replace(
            literal(getattr(HOSTILE_PARAMS, field)), literal(getattr(BENIGN, field))
        )
    hostile = hostile.replace(
        literal(" ".join(HOSTILE_PARAMS.scopes)), literal(" ".join(BENIGN.scopes))
    )
    assert hostile == benign
    assert HOSTILE_TEXT not in hostile


@pytest.mark.parametrize(("template", "language"), PAIRS)
def test_no_invisible_characters(template: str, language: str) -> None:
    code = render_sample(template, language, HOSTILE_PARAMS).code
    bad = {c for c in code if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")}
    assert not bad


def test_python_values_round_trip() -> None:
    code = render_sample("client_credentials", "python", HOSTILE_PARAMS).code
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(code).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert values["CLIENT_ID"] == HOSTILE_PARAMS.client_id
    assert values["TOKEN_ENDPOINT"] == HOSTILE_PARAMS.token_endpoint
    assert values["SCOPE"] == "openid scope-" + HOSTILE_SCOPE


@pytest.mark.parametrize(
    "field",
    ["issuer", "token_endpoint", "client_id", "redirect_uri", "audience", "scopes"],
)
def test_boundary_refuses_what_can_never_be_valid(field: str) -> None:
    """A newline or bidi override can never be part of these values: refused before any
    code is generated (the literal filters would escape them anyway: test_samples_escape)."""
    value: object = ("openid", HOSTILE) if field == "scopes" else "https://as.example/" + HOSTILE
    params = BENIGN.with_values(**{field: value})
    with pytest.raises(ParameterError):
        render_sample("client_credentials", "python", params)


# --- headers, environment variables, secrets -------------------------------------------------


def _header(sample: RenderedSample) -> str:
    if sample.language == "python":
        return ast.get_docstring(ast.parse(sample.code)) or ""
    marker = "#" if sample.language == "curl" else "//"
    lines = []
    for line in sample.code.splitlines():
        if line.startswith(marker):
            lines.append(line)
        elif lines:
            break
    return "\n".join(lines)


@pytest.mark.parametrize(("template", "language", "client_auth"), VARIANTS)
def test_header_documents_the_environment(template: str, language: str, client_auth: str) -> None:
    sample = render_sample(template, language, SampleParams(client_auth=client_auth))
    header = _header(sample)
    body = sample.code.replace(header, "")
    assert "Generated by grant-advisor" in header
    assert sample.filename in header or template == "authorization_code_browser"
    for name in sample.env_vars:
        assert name in header, f"{name} is read but not documented in the header"
        if name == "BROWSER" and language == "python":
            continue  # read by Python's webbrowser module, not by the sample's own code
        assert re.search(rf"\b{name}\b", body), f"{name} is documented but never read"
    used = set(re.findall(r"\bOAUTH_[A-Z_]+\b", body))
    assert used <= set(ENV_VARS), f"undocumented variables {used - set(ENV_VARS)}"
    assert used <= set(sample.env_vars)


def test_env_vars_per_client_auth() -> None:
    def env(template: str, language: str, auth: str | None = None) -> tuple[str, ...]:
        return render_sample(template, language, SampleParams(client_auth=auth)).env_vars

    assert env("client_credentials", "python") == ("OAUTH_CLIENT_SECRET",)
    assert env("client_credentials", "curl", "client_secret_post") == ("OAUTH_CLIENT_SECRET",)
    assert env("client_credentials_private_key_jwt", "python") == (
        "OAUTH_PRIVATE_KEY_FILE",
        "OAUTH_PRIVATE_KEY_ID",
    )
    assert env("client_credentials_private_key_jwt", "curl") == ("OAUTH_CLIENT_ASSERTION",)
    assert env("client_credentials_federated", "javascript") == ("OAUTH_FEDERATED_TOKEN_FILE",)
    assert env("client_credentials_mtls", "curl") == (
        "OAUTH_CLIENT_CERT_FILE",
        "OAUTH_CLIENT_KEY_FILE",
    )
    assert env("refresh_token", "python") == ("OAUTH_REFRESH_TOKEN_FILE",)
    assert env("refresh_token", "python", "client_secret_basic") == (
        "OAUTH_CLIENT_SECRET",
        "OAUTH_REFRESH_TOKEN_FILE",
    )
    # private_key_jwt: a key file; curl takes one pre-made assertion, except CIBA's, which
    # makes several requests and so runs a command that signs one for each.
    pkjwt = {
        (
            "authorization_code_web",
            "javascript",
        ): "OAUTH_PRIVATE_KEY_FILE OAUTH_PRIVATE_KEY_ID PORT",
        ("jwt_bearer", "curl"): "OAUTH_CLIENT_ASSERTION OAUTH_ASSERTION",
        ("ciba", "curl"): "OAUTH_CLIENT_ASSERTION_COMMAND OAUTH_LOGIN_HINT",
    }
    for (template, language), names in pkjwt.items():
        assert env(template, language, "private_key_jwt") == tuple(names.split())
    assert env("authorization_code_loopback", "javascript") == (
        "OAUTH_REFRESH_TOKEN_FILE",
        "BROWSER",
    )
    assert env("authorization_code_browser", "javascript") == ()


@pytest.mark.parametrize("template", [t for t, i in TEMPLATES.items() if "curl" in i.languages])
def test_curl_never_gets_secrets_as_arguments(template: str) -> None:
    """Any local user can read a process's arguments (ps): secrets go to curl on stdin."""
    info = TEMPLATES[template]
    for auth in info.client_auth:
        text = render_sample(template, "curl", SampleParams(client_auth=auth)).code
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert " -u " not in code and "--user" not in code
        calls = [m.start() for m in re.finditer(r"^\s+curl ", code, re.MULTILINE)]
        assert len(calls) == 1, "one curl call, in post_form"
        call = code[calls[0] : code.index('--url "$1"', calls[0])]
        assert "--config -" in call
        assert not re.search(r"OAUTH_(?!CLIENT_CERT_FILE|CLIENT_KEY_FILE)", call)


def test_basic_auth_form_encodes_before_base64() -> None:
    python = render_sample("client_credentials", "python", SampleParams()).code
    assert "urllib.parse.quote_plus(CLIENT_ID)" in python
    assert "auth=" not in python
    javascript = render_sample("client_credentials", "javascript", SampleParams()).code
    assert "formEncode(CLIENT_ID)" in javascript
    curl = render_sample("client_credentials", "curl", SampleParams()).code
    assert 'form_urlencode "$CLIENT_ID"' in curl


# --- how samples talk to the server (the wire-level checks are tests/integration/
# test_samples_requests.py) -------------------------------------------------------------------


def _code_lines(sample: RenderedSample) -> str:
    """The sample without its comment lines."""
    mark = "//" if sample.language == "javascript" else "#"
    return "\n".join(
        line for line in sample.code.splitlines() if not line.lstrip().startswith(mark)
    )


@pytest.mark.parametrize(("template", "language", "client_auth"), VARIANTS)
def test_posts_set_the_form_media_type_and_never_follow_redirects(
    template: str, language: str, client_auth: str
) -> None:
    """JavaScript sets the Content-Type itself (fetch would add ";charset=UTF-8"); no
    language follows a redirect from the authorization server; curl never globs a URL."""
    sample = render_sample(template, language, SampleParams(client_auth=client_auth))
    code = _code_lines(sample)
    if language == "javascript":
        posts = [m.start() for m in re.finditer(r"method: 'POST'", code)]
        assert posts, "every javascript sample posts"
        for start in posts:
            call = code[start : code.index("\n  }", start)]
            assert "'Content-Type': 'application/x-www-form-urlencoded'" in call, call
            assert "redirect: 'manual'" in call or "request(url" in code, call
    elif language == "python":
        calls = [m.start() for m in re.finditer(r"requests\.post\(", code)]
        assert calls, "every python sample posts"
        for start in calls:
            call = code[start : code.index(")\n", start)]
            assert "allow_redirects=False" in call, call
        assert code.count("not_redirected(") == len(calls) + 1  # the definition, each call
    else:
        calls = re.findall(r"^\s+curl .*", code, re.MULTILINE)
        assert calls and all("--globoff" in call for call in calls), calls
        assert not re.search(r"--location|\s-L\b", code)
        assert "%{redirect_url}" in code


@pytest.mark.parametrize(
    ("template", "language"),
    [(t, lang) for t, lang, auth in VARIANTS if auth == "client_secret_basic"],
)
def test_client_secret_basic_also_names_the_client_in_the_body(
    template: str, language: str
) -> None:
    code = render_sample(template, language, SampleParams(client_auth="client_secret_basic")).code
    start = code.index(
        {
            "curl": "client_auth() {",
            "python": "def client_auth(",
            "javascript": "function clientAuth(",
        }[language]
    )
    body = code[
        start : code.index(
            {"curl": "\n}", "python": "\n\n\n", "javascript": "\n}"}[language], start
        )
    ]
    assert {
        "curl": 'form_add client_id "$CLIENT_ID"',
        "python": 'form["client_id"] = CLIENT_ID',
        "javascript": "form.client_id = CLIENT_ID;",
    }[language] in body, body
    assert "Basic " in body


@pytest.mark.parametrize("template", ["authorization_code_loopback", "authorization_code_fapi"])
def test_python_loopback_serves_before_it_opens_the_browser(template: str) -> None:
    """webbrowser.open waits for a $BROWSER command to exit (w3m, a wrapper script)."""
    code = render_sample(
        template,
        "python",
        SampleParams(client_auth="private_key_jwt" if template.endswith("fapi") else None),
    ).code
    assert code.index("thread.start()") < code.index("webbrowser.open(url)")
    assert "handle_request" not in code


@pytest.mark.parametrize("template", ["authorization_code_loopback", "authorization_code_fapi"])
def test_javascript_reads_browser_as_a_list_of_command_lines(template: str) -> None:
    code = render_sample(template, "javascript", SampleParams()).code
    assert "process.env.BROWSER ?? ''" in code and ".split(process.platform === 'win32'" in code
    assert "replaceAll('%s', url)" in code
    assert "commands separated by ':'" in code  # the header says what it does


@pytest.mark.parametrize(
    ("template", "language"),
    [(t, lang) for t, lang in PAIRS if "offline_access" in TEMPLATES[t].default_scope],
)
def test_scopes_come_from_the_parameters_and_refresh_tokens_are_explained(
    template: str, language: str
) -> None:
    """offline_access is only a default: discovery (scopes_supported) can leave it out, and
    the comment says how servers without it issue refresh tokens."""
    literal = FILTER[language]("openid profile")
    code = render_sample(template, language, SampleParams(scopes=("openid", "profile"))).code
    assert re.search(rf"^(const )?SCOPE ?= ?{re.escape(literal)};?$", code, re.MULTILINE)
    assert "offline_access" not in re.sub(r"(?m)^\s*(#|//).*$", "", code).replace(
        "includes('offline_access')", ""
    ).replace('"offline_access" in SCOPE', "").replace('*" offline_access "*', "")
    assert "django-oauth-toolkit" in code
    if template != "device_code":
        assert "access_type=offline" in code


# --- API --------------------------------------------------------------------------------------


def test_rendered_sample_fields() -> None:
    sample = render_sample("client_credentials", "python", SampleParams(client_id="abc"))
    assert sample.template == "client_credentials"
    assert sample.language == "python"
    assert sample.filename == "client_credentials.py"
    assert 'CLIENT_ID = "abc"' in sample.code
    assert sample.code.endswith("\n")


def test_assumptions_name_only_the_endpoints_a_sample_uses() -> None:
    sample = render_sample("client_credentials", "curl", SampleParams())
    text = " ".join(a.text for a in sample.assumptions)
    assert "issuer https://auth.example.com is a placeholder" in text
    assert "YOUR_CLIENT_ID is a placeholder" in text
    assert "token_endpoint https://auth.example.com/token is derived" in text
    assert "authorization_endpoint" not in text
    device = " ".join(
        a.text for a in render_sample("device_code", "python", SampleParams()).assumptions
    )
    assert "device_authorization_endpoint" in device


def test_given_endpoints_are_not_assumptions() -> None:
    params = SampleParams(
        issuer="https://id.example.org",
        client_id="app",
        token_endpoint="https://id.example.org/oauth2/token",
    )
    assert render_sample("client_credentials", "python", params).assumptions == ()


def test_default_redirect_uri_of_a_web_app_is_an_assumption() -> None:
    sample = render_sample("authorization_code_web", "python", SampleParams())
    assert any("redirect URI http://127.0.0.1:8000/callback" in a.text for a in sample.assumptions)
    loopback = render_sample("authorization_code_loopback", "python", SampleParams())
    assert not any("redirect URI" in a.text for a in loopback.assumptions)


def test_scopes_default_per_template() -> None:
    loopback = render_sample("authorization_code_loopback", "python", SampleParams()).code
    assert 'SCOPE = "openid profile offline_access"' in loopback
    given = render_sample("device_code", "python", SampleParams(scopes=("a", "b"))).code
    assert 'SCOPE = "a b"' in given


def test_environment_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANT_ADVISOR_NO_CACHE", "1")  # every call renders
    render_sample("client_credentials", "python", SampleParams())
    before = jinja.environment.cache_info().hits
    render_sample("ciba", "curl", SampleParams())
    assert jinja.environment.cache_info().hits > before
    assert jinja.environment(()) is jinja.environment(())


# --- catalog ----------------------------------------------------------------------------------


def test_shipped_templates_match_the_catalog() -> None:
    assert shipped_templates() == {t: i.languages for t, i in sorted(TEMPLATES.items())}


def test_every_flow_has_a_default_template() -> None:
    assert set(DEFAULT_TEMPLATE) == set(get_args(FlowId))
    for flow, template in DEFAULT_TEMPLATE.items():
        assert TEMPLATES[template].flow == flow


def test_choose_client_auth() -> None:
    assert choose_client_auth("client_credentials") == "client_secret_basic"
    assert choose_client_auth("client_credentials", ["private_key_jwt", "client_secret_post"]) == (
        "client_secret_post"
    )
    assert choose_client_auth("refresh_token") == "none"
    # private_key_jwt is supported, after the family's default.
    assert choose_client_auth("ciba") == "client_secret_basic"
    assert choose_client_auth("ciba", ["private_key_jwt", "tls_client_auth"]) == "private_key_jwt"
    assert choose_client_auth("my_own_template") is None


# --- errors -----------------------------------------------------------------------------------


def _one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_missing_template() -> None:
    with pytest.raises(TemplateError) as exc:
        render_sample("no_such_flow", "python", SampleParams())
    assert "no python template for sample 'no_such_flow'" in _one_line(exc)


def test_template_lacking_a_language() -> None:
    with pytest.raises(TemplateError, match="has no curl version; it exists in javascript"):
        render_sample("authorization_code_browser", "curl", SampleParams())


def test_unknown_language() -> None:
    with pytest.raises(TemplateError, match="unknown sample language 'rust'"):
        render_sample("client_credentials", "rust", SampleParams())


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    return tmp_path


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_syntax_error_names_file_and_line(user_dir: Path) -> None:
    _write(user_dir, "mine.py.j2", "# ok\n# ok\n{% if %}\n")
    with pytest.raises(TemplateError) as exc:
        render_sample("mine", "python", SampleParams(), [user_dir])
    assert re.search(r"mine\.py\.j2:3: template syntax error", _one_line(exc))


def test_undefined_variable_names_file_and_line(user_dir: Path) -> None:
    _write(user_dir, "mine.py.j2", "CLIENT = {{ client_id | py }}\nX = {{ clientid | py }}\n")
    with pytest.raises(TemplateError) as exc:
        render_sample("mine", "python", SampleParams(), [user_dir])
    message = _one_line(exc)
    assert re.search(r"mine\.py\.j2:2: ", message)
    assert "'clientid' is undefined" in message


def test_sandbox_refuses_python_internals(user_dir: Path) -> None:
    _write(user_dir, "mine.py.j2", "{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(TemplateError) as exc:
        render_sample("mine", "python", SampleParams(), [user_dir])
    assert "sandbox" in _one_line(exc)


def test_user_override_of_a_shipped_template_is_sandboxed(user_dir: Path) -> None:
    _write(user_dir, "client_credentials.sh.j2", "{{ cycler.__init__.__globals__ }}\n")
    with pytest.raises(TemplateError, match="sandbox"):
        render_sample("client_credentials", "curl", SampleParams(), [user_dir])


def test_user_template_may_use_shipped_partials(user_dir: Path) -> None:
    _write(
        user_dir,
        "mine.py.j2",
        '{% import "_oauth.py.j2" as oauth with context %}\n'
        "TOKEN_ENDPOINT = {{ token_endpoint | py }}\nCLIENT_ID = {{ client_id | py }}\n"
        "{{ oauth.helpers() }}\n",
    )
    sample = render_sample("mine", "python", SampleParams(client_id="x"), [user_dir])
    assert 'CLIENT_ID = "x"' in sample.code
    assert "def request_token(form):" in sample.code
    assert sample.env_vars == ("OAUTH_CLIENT_SECRET",)
    assert any("token_endpoint" in a.text for a in sample.assumptions)


def test_shipped_templates_are_not_affected_by_user_dirs(user_dir: Path) -> None:
    _write(user_dir, "_oauth.py.j2", "{{ ''.__class__ }}\n")
    sample = render_sample("client_credentials", "python", SampleParams(), [user_dir])
    assert "def request_token(form):" in sample.code


def test_a_runtime_error_in_a_user_template_is_a_template_error(user_dir: Path) -> None:
    _write(user_dir, "mine.sh.j2", "{{ 1 // 0 }}\n")
    with pytest.raises(TemplateError, match=r"mine\.sh\.j2:1: rendering failed: ZeroDivisionError"):
        render_sample("mine", "curl", SampleParams(), [user_dir])


def test_a_filter_rejects_a_list(user_dir: Path) -> None:
    _write(user_dir, "mine.py.j2", "\n{{ scopes | py }}\n")
    with pytest.raises(TemplateError, match=r"mine\.py\.j2:2: the py literal filter takes"):
        render_sample("mine", "python", SampleParams(), [user_dir])


@pytest.mark.parametrize("field", ["client_id", "issuer", "audience", "redirect_uri"])
def test_nul_is_rejected_for_every_language(field: str) -> None:
    params = SampleParams(redirect_uri="http://127.0.0.1/cb").with_values(**{field: "a\0b"})
    with pytest.raises(ParameterError, match="control characters"):
        render_sample("authorization_code_loopback", "python", params)


def test_client_auth_methods_match_the_models() -> None:
    assert get_args(ClientAuthMethod) == CLIENT_AUTH_METHODS


@pytest.mark.parametrize("template", ["../etc/passwd", "Client", "a/b", ""])
def test_template_ids_cannot_be_paths(template: str) -> None:
    with pytest.raises(TemplateError, match="invalid template id"):
        render_sample(template, "python", SampleParams())


def test_unknown_client_auth_even_for_a_users_template(user_dir: Path) -> None:
    _write(user_dir, "mine.sh.j2", "# {{ client_auth }}\n")
    with pytest.raises(ParameterError, match="unknown client authentication"):
        render_sample("mine", "curl", SampleParams(client_auth="x\nrm -rf ~"), [user_dir])


def test_unsupported_client_auth() -> None:
    with pytest.raises(ParameterError, match="supports client_secret_basic, client_secret_post"):
        render_sample("client_credentials", "python", SampleParams(client_auth="none"))


@pytest.mark.parametrize("uri", ["http://localhost/callback", "https://app.example/cb"])
def test_loopback_redirect_must_be_an_ip_literal(uri: str) -> None:
    with pytest.raises(ParameterError, match=r"127\.0\.0\.1"):
        render_sample("authorization_code_loopback", "python", SampleParams(redirect_uri=uri))


@pytest.mark.parametrize("interval", [0, -1, 3601])
def test_interval_range(interval: int) -> None:
    with pytest.raises(ParameterError, match="interval"):
        render_sample("device_code", "python", SampleParams(interval=interval))


def test_templates_folder_has_only_templates() -> None:
    for path in TEMPLATE_DIR.iterdir():
        assert path.suffix == ".j2", path


def test_assumptions_name_the_field_they_concern() -> None:
    """Each assumption keeps the command line's words (``text``) and says which parameter it
    is about, so the TUI can name its own key for it instead of a flag."""
    web = render_sample("authorization_code_web", "python", SampleParams()).assumptions
    by_field = {a.field: a for a in web}
    issuer = by_field["issuer"]
    assert (issuer.kind, issuer.fix) == ("placeholder", "pass --issuer")
    assert issuer.text == "issuer https://auth.example.com is a placeholder: pass --issuer"
    assert by_field["client_id"].kind == "placeholder"
    assert by_field["token_endpoint"].kind == "derived"
    assert by_field["token_endpoint"].text.endswith(": pass --token-endpoint or --discover")
    redirect = by_field["redirect_uri"]
    assert redirect.kind == "default"
    assert redirect.what == "redirect URI http://127.0.0.1:8000/callback is a default"
    http = SampleParams(issuer="http://localhost:8080").assumptions(())
    assert [(a.field, a.kind, a.fix) for a in http] == [
        ("issuer", "insecure", None),
        ("client_id", "placeholder", "pass --client-id"),
    ]


@pytest.mark.parametrize(
    ("redirect_uri", "warned"),
    [
        ("http://portal.example.org/callback", True),
        ("HTTP://Portal.Example.org/callback", True),
        ("http://10.0.0.5:8080/callback", True),  # a private address is still a network
        ("https://portal.example.org/callback", False),
        ("http://127.0.0.1:8000/callback", False),  # loopback: the code never leaves the host
        ("http://[::1]:8000/callback", False),
        ("http://[::ffff:127.0.0.1]:8000/callback", False),  # IPv4-mapped loopback
        ("com.example.app:/callback", False),  # a private-use scheme (RFC 8252 §7.1)
    ],
)
def test_a_plain_http_redirect_uri_off_the_host_is_flagged(redirect_uri: str, warned: bool) -> None:
    """The authorization code travels in the redirect: over plain http to another host it
    crosses the network in clear (RFC 6749 §3.1.2.1). Said in "Check before running", as the
    plain-http issuer is; the sample still renders (a local test may need it)."""
    params = SampleParams(issuer="https://login.example.org", redirect_uri=redirect_uri)
    notes = [
        a for a in params.assumptions(("authorization_endpoint",)) if a.field == "redirect_uri"
    ]
    assert bool(notes) is warned
    # a flow without a redirect never sends the code there: nothing to say
    assert not [a for a in params.assumptions(("token_endpoint",)) if a.field == "redirect_uri"]
    if warned:
        (note,) = notes
        assert note.kind == "insecure" and "RFC 6749 §3.1.2.1" in note.text
    sample = render_sample("authorization_code_web", "python", params)
    assert (redirect_uri in sample.code) or (repr(redirect_uri) in sample.code)
    assert any(a.field == "redirect_uri" for a in sample.assumptions) is warned
