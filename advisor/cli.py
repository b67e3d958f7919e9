"""The ``grant-advisor`` command line.

``grant-advisor`` alone opens the TUI; subcommands are scriptable and never import Textual:

    ask       replay answers; print the next question or the recommendation
    validate  check a tree file and report every problem
    tree      export the whole tree (Mermaid, Markdown, JSON)
    schema    print the JSON Schema of the tree format
    sample    print one runnable sample for a flow you already know
    check-server  which flows an authorization server supports (RFC 8414 metadata)

Exit codes: 0 success, 1 validation problems found (``validate``), 2 usage or input error.
Heavy modules (pydantic models, Jinja2, httpx, Textual) are imported inside the commands that
need them, so each command pays only for what it uses.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from advisor import __version__
from advisor.core.vocabulary import CLIENT_AUTH_METHODS, LANGUAGE_IDS

if TYPE_CHECKING:
    from advisor.server.model import ServerMetadata
    from advisor.tree.loader import LoadedTree

PROG = "grant-advisor"


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line plus a pointer to --help, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_common_flags(parser: argparse.ArgumentParser, default: Any) -> None:
    # Added to the main parser (default None) and to each command (default SUPPRESS, so a
    # flag given before the command is not reset by the command's parser). Not shared through
    # `parents=`, which shares Action objects and with them their defaults.
    parser.add_argument(
        "--tree",
        metavar="PATH",
        default=default,
        help="decision tree file to use instead of the shipped one",
    )
    parser.add_argument(
        "--templates",
        metavar="DIR",
        action="append",
        default=default if default is argparse.SUPPRESS else [],
        type=Path,
        help="folder of custom sample templates (rendered in a sandbox; repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = _Parser(
        prog=PROG,
        description="Pick the right OAuth 2.x flow and get working code for it. "
        "Without a command, opens the interactive walk.",
    )
    _add_common_flags(parser, None)
    parser.set_defaults(handler=_run_tui)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    ask = commands.add_parser(
        "ask",
        help="replay answers; print the next question or the recommendation",
        description="Replay answers through the tree. Prints the next question (with its "
        "choices) while the walk is incomplete, otherwise the recommendation with samples.",
    )
    _add_common_flags(ask, argparse.SUPPRESS)
    ask.add_argument(
        "-a",
        "--answer",
        metavar="QUESTION=CHOICE",
        action="append",
        default=[],
        help="an answer, e.g. what_building=cli (repeatable; order does not matter)",
    )
    ask.add_argument(
        "--answers-file",
        metavar="PATH",
        help="YAML or JSON answers: a 'question: choice' mapping, or the output of "
        "'ask --format json'",
    )
    ask.add_argument("-f", "--format", choices=("text", "json", "markdown"), default="text")
    _add_output_flags(ask)
    _add_sample_flags(ask, multi_lang=True)
    _add_discover_flag(ask)
    ask.set_defaults(handler=_cmd_ask)

    validate = commands.add_parser(
        "validate",
        help="check a tree file and report every problem",
        description="Validate a tree: YAML safety, shape, and graph. Exit 0 when valid, "
        "1 when problems are found, 2 when the file cannot be read.",
    )
    _add_common_flags(validate, argparse.SUPPRESS)
    validate.add_argument(
        "path", nargs="?", metavar="PATH", help="tree file (default: --tree or the shipped tree)"
    )
    validate.set_defaults(handler=_cmd_validate)

    tree = commands.add_parser(
        "tree",
        help="export the whole tree (Mermaid diagram, Markdown reference, JSON)",
        description="Export the whole decision tree for documentation or other tools.",
    )
    _add_common_flags(tree, argparse.SUPPRESS)
    tree.add_argument("-f", "--format", choices=("mermaid", "markdown", "json"), default="mermaid")
    tree.add_argument(
        "--direction",
        choices=("TD", "LR"),
        default="TD",
        help="Mermaid layout: top-down or left-right",
    )
    _add_output_flags(tree)
    tree.set_defaults(handler=_cmd_tree)

    sample = commands.add_parser(
        "sample",
        help="print one runnable sample for a flow you already know",
        description="Print one runnable sample, and nothing else, on stdout. FLOW is a flow id "
        "(its default sample) or a sample template id; --list shows them all. Notes on "
        "placeholders and derived endpoints go to stderr.",
    )
    _add_common_flags(sample, argparse.SUPPRESS)
    sample.add_argument("flow", nargs="?", metavar="FLOW", help="flow or template id")
    sample.add_argument("--list", action="store_true", help="list flows and sample templates")
    sample.add_argument("--lang", choices=LANGUAGE_IDS, help="sample language (required)")
    _add_sample_flags(sample, multi_lang=False)
    _add_discover_flag(sample)
    _add_output_flags(sample)
    sample.set_defaults(handler=_cmd_sample)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the tree format",
        description="Print the JSON Schema of the decision tree format, for editors. Add "
        "'# yaml-language-server: $schema=PATH' to a tree file to validate it as you type.",
    )
    _add_output_flags(schema)
    schema.set_defaults(handler=_cmd_schema, tree=None, templates=[])

    check = commands.add_parser(
        "check-server",
        help="check which flows an authorization server supports, from its metadata",
        description="Fetch an authorization server's metadata (RFC 8414 / OpenID Connect "
        "Discovery) and report its features and, for every flow of the tree, whether the "
        "server supports it and what is missing. URL is the issuer (https; plain http only "
        "on loopback).",
    )
    _add_common_flags(check, argparse.SUPPRESS)
    check.add_argument("url", metavar="URL", help="the server's issuer identifier")
    check.add_argument("-f", "--format", choices=("text", "json"), default="text")
    _add_output_flags(check)
    check.set_defaults(handler=_cmd_check_server)
    return parser


def _add_output_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="PATH", help="write to a file (atomically)")
    parser.add_argument("--force", action="store_true", help="replace an existing output file")


def _add_sample_flags(parser: argparse.ArgumentParser, *, multi_lang: bool) -> None:
    group = parser.add_argument_group("sample code parameters")
    if multi_lang:
        group.add_argument(
            "--lang",
            action="append",
            choices=(*LANGUAGE_IDS, "none"),
            help="sample language (repeatable; default: every language the outcome has; "
            "'none' for no samples)",
        )
    group.add_argument("--issuer", help="authorization server issuer URL")
    group.add_argument("--client-id", help="your client id")
    group.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help="scope to request (repeatable, or several separated by spaces)",
    )
    group.add_argument("--redirect-uri", help="redirect URI registered for the client")
    group.add_argument("--audience", help="target API (resource indicator / audience)")
    group.add_argument("--authorization-endpoint", metavar="URL")
    group.add_argument("--token-endpoint", metavar="URL")
    group.add_argument("--device-authorization-endpoint", metavar="URL")
    group.add_argument("--backchannel-endpoint", metavar="URL")
    group.add_argument(
        "--par-endpoint", metavar="URL", help="pushed authorization request endpoint"
    )
    group.add_argument(
        "--client-auth",
        choices=CLIENT_AUTH_METHODS,
        help="client authentication the samples use (default: the outcome's preferred method "
        "that the sample supports)",
    )
    group.add_argument(
        "--interval",
        type=_positive_int,
        metavar="SECONDS",
        help="polling interval override for device code and CIBA samples",
    )


def _add_discover_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--discover",
        action="store_true",
        help="read the --issuer's metadata (RFC 8414 / OpenID Connect Discovery): samples get "
        "its real endpoints, and the advice is checked against what it supports",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{value} is not between 1 and 3600")
    return value


# -- helpers shared by commands ----------------------------------------------------------------


def _load(args: argparse.Namespace, path: str | None = None) -> LoadedTree:
    from advisor.tree.loader import load

    return load(path if path is not None else args.tree, template_dirs=tuple(args.templates))


def _emit(args: argparse.Namespace, text: str) -> None:
    """Print ``text``, or write it to ``--output`` atomically."""
    output = getattr(args, "output", None)
    if output:
        from advisor.exports.files import write_atomic

        written = write_atomic(output, text, force=args.force)
        print(f"wrote {written}", file=sys.stderr)
    else:
        sys.stdout.write(text)


PARAMETER_FLAGS: dict[str, str] = {
    "issuer": "issuer",
    "client_id": "client_id",
    "scope": "scopes",
    "redirect_uri": "redirect_uri",
    "audience": "audience",
    "authorization_endpoint": "authorization_endpoint",
    "token_endpoint": "token_endpoint",
    "device_authorization_endpoint": "device_authorization_endpoint",
    "backchannel_endpoint": "backchannel_authentication_endpoint",
    "par_endpoint": "pushed_authorization_request_endpoint",
    "interval": "interval",
    "client_auth": "client_auth",
}
"""argparse destination → SampleParams field."""


def _given_parameters(args: argparse.Namespace, recorded: dict[str, Any]) -> dict[str, Any]:
    """Sample parameters from an answers file, overridden by flags: ``SampleParams`` fields."""
    values = {k: v for k, v in recorded.items() if k in PARAMETER_FLAGS.values()}
    for dest, field in PARAMETER_FLAGS.items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        if dest == "scope":
            value = tuple(s for item in value for s in item.split())
        values[field] = value
    if isinstance(values.get("scopes"), (list, str)):
        scopes = values["scopes"]
        values["scopes"] = tuple(scopes.split() if isinstance(scopes, str) else scopes)
    return values


def _parse_answers(args: argparse.Namespace) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Answers from ``--answers-file`` then ``--answer`` flags, and recorded parameters."""
    from advisor.core.errors import AnswerError

    answers: list[tuple[str, str]] = []
    parameters: dict[str, Any] = {}
    if args.answers_file:
        answers, parameters = _read_answers_file(args.answers_file)
    flagged: dict[str, str] = {}
    for item in args.answer:
        question, sep, choice = item.partition("=")
        if not sep or not question.strip() or not choice.strip():
            raise AnswerError(
                f"--answer {item!r}: expected QUESTION=CHOICE, e.g. what_building=cli"
            )
        flagged[question.strip()] = choice.strip()
    # A flag overrides the file's answer to the same question.
    answers = [(q, c) for q, c in answers if q not in flagged] + list(flagged.items())
    return answers, parameters


def _read_answers_file(path: str) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Read answers from YAML/JSON, ``ask --format json`` output, or a Markdown report."""
    from advisor.core.errors import AnswerError, TreeError
    from advisor.exports.markdown import extract_answers_block
    from advisor.tree.loader import read_text
    from advisor.tree.yamlsafe import parse

    text = read_text(Path(path), path)
    block = extract_answers_block(text)
    if block is not None:
        text = block
    try:
        data, problems = parse(text, path)  # JSON is YAML: one safe parser for both
    except TreeError as exc:  # the answers file is not a tree: say what it is
        raise AnswerError(str(exc)) from None
    if problems:
        raise AnswerError(problems[0].format())
    parameters: dict[str, Any] = {}
    if isinstance(data, dict) and "answers" in data:
        recorded = data.get("parameters")
        if isinstance(recorded, dict):
            parameters = recorded
        data = data["answers"]
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list) and all(
        isinstance(i, dict) and "question" in i and "choice" in i for i in data
    ):
        items = [(i["question"], i["choice"]) for i in data]
    else:
        raise AnswerError(
            f"{path}: expected a mapping of question: choice, a list of "
            "{question, choice} entries, or a grant-advisor report"
        )
    pairs: list[tuple[str, str]] = []
    for question, choice in items:
        if not isinstance(question, str) or not isinstance(choice, str):
            raise AnswerError(f"{path}: answer {question!r}: {choice!r} is not text")
        pairs.append((question, choice))
    return pairs, parameters


# -- commands ------------------------------------------------------------------------------------


def _cmd_ask(args: argparse.Namespace) -> int:
    from advisor.advice import advise
    from advisor.core.fields import check_parameters
    from advisor.session import Session

    answers, recorded = _parse_answers(args)
    parameters = _given_parameters(args, recorded)
    check_parameters(parameters)  # a value that can never work is a usage error
    if args.discover and not parameters.get("issuer"):
        from advisor.core.errors import ParameterError

        raise ParameterError("--discover needs --issuer URL (the authorization server's issuer)")
    session = Session.replay(_load(args).tree, answers)
    recommendation = session.recommendation()
    # Nothing is fetched for an incomplete walk or an outcome without a flow.
    wants_server = recommendation is not None and recommendation.outcome.flow != "none"
    advice = advise(
        session,
        parameters,
        languages=args.lang,
        template_dirs=tuple(args.templates),
        metadata=_discover(parameters["issuer"]) if args.discover and wants_server else None,
    )
    if args.format == "json":
        from advisor.exports.data import session_data

        text = json.dumps(session_data(advice), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "markdown":
        from advisor.exports.markdown import question_markdown, recommendation_markdown

        text = recommendation_markdown(advice) if recommendation else question_markdown(session)
    else:
        from advisor.exports.text import question_text, recommendation_text

        text = recommendation_text(advice) if recommendation else question_text(session, PROG)
    _emit(args, text)
    return 0


def _discover(issuer: str) -> ServerMetadata:
    # Imported here: httpx is loaded only when a command really reads metadata.
    from advisor.server.fetch import discover

    return discover(issuer)


def _cmd_validate(args: argparse.Namespace) -> int:
    from advisor.core.errors import TreeValidationError

    try:
        loaded = _load(args, args.path)
    except TreeValidationError as exc:
        for problem in exc.problems:
            print(problem.format())
        print(f"{exc}: not valid")
        return 1
    tree = loaded.tree
    for problem in loaded.warnings:
        print(problem.format())
    warnings = len(loaded.warnings)
    print(
        f"{loaded.file}: valid: {len(tree.questions)} questions, {len(tree.outcomes)} outcomes, "
        f"{len(tree.flows)} flows, {len(tree.sources)} sources"
        + (f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
    )
    return 0


def _cmd_tree(args: argparse.Namespace) -> int:
    tree = _load(args).tree
    if args.format == "mermaid":
        from advisor.exports.mermaid import tree_mermaid

        text = tree_mermaid(tree, direction=args.direction)
    elif args.format == "markdown":
        from advisor.exports.reference import tree_reference

        text = tree_reference(tree, direction=args.direction)
    else:
        from advisor.exports.data import tree_data

        text = json.dumps(tree_data(tree), indent=2, ensure_ascii=False) + "\n"
    _emit(args, text)
    return 0


def _cmd_check_server(args: argparse.Namespace) -> int:
    from advisor.core.fields import check_issuer
    from advisor.exports.server import server_report_text
    from advisor.server.report import check_server

    check_issuer(args.url)  # a bad URL is a usage error before anything is loaded
    tree = _load(args).tree
    report = check_server(tree, _discover(args.url))
    if args.format == "json":
        text = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = server_report_text(report)
    _emit(args, text)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from advisor.advice import SampleChoice, advise
    from advisor.core.errors import ParameterError, TemplateError
    from advisor.core.fields import check_parameters
    from advisor.core.termsafe import clean
    from advisor.samples.catalog import DEFAULT_TEMPLATE, TEMPLATES, shipped_templates

    if args.list:
        lines = ["Flows (their default sample):"]
        lines += [f"  {flow:<20} {template}" for flow, template in DEFAULT_TEMPLATE.items()]
        lines += ["", "Sample templates (languages):"]
        for template, languages in shipped_templates().items():
            info = TEMPLATES.get(template)
            lines.append(f"  {template} ({', '.join(languages)})")
            if info:
                lines.append(f"      {info.title}")
        _emit(args, "\n".join(lines) + "\n")
        return 0
    if not args.flow:
        raise ParameterError(
            "sample needs a FLOW (or --list), e.g. 'grant-advisor sample "
            "client_credentials --lang python'"
        )
    if not args.lang:
        raise ParameterError(f"sample needs --lang ({', '.join(LANGUAGE_IDS)})")
    template = DEFAULT_TEMPLATE.get(args.flow, args.flow)
    known = set(shipped_templates())
    if template not in known and not args.templates:
        from advisor.core.suggest import did_you_mean

        hint = did_you_mean(args.flow, [*DEFAULT_TEMPLATE, *known])
        raise TemplateError(
            f"no flow or sample template {args.flow!r}"
            + (f" ({hint})" if hint else "")
            + "; 'grant-advisor sample --list' shows them"
        )
    parameters = _given_parameters(args, {})
    check_parameters(parameters)
    if args.discover and not parameters.get("issuer"):
        raise ParameterError("--discover needs --issuer URL (the authorization server's issuer)")
    flow = TEMPLATES[template].flow if template in TEMPLATES else args.flow
    advice = advise(
        SampleChoice(template, flow if flow in DEFAULT_TEMPLATE else None),
        parameters,
        languages=[args.lang],
        template_dirs=tuple(args.templates),
        metadata=_discover(parameters["issuer"]) if args.discover else None,
    )
    if advice.compatibility is not None:
        for finding in advice.compatibility.findings:
            print(f"{finding.severity}: {clean(finding.message)}", file=sys.stderr)
    rendered = advice.samples[args.lang]
    for assumption in rendered.assumptions:
        print(f"note: {clean(assumption.text)}", file=sys.stderr)
    _emit(args, rendered.code)
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from advisor.tree.schema import schema_text

    _emit(args, schema_text())
    return 0


def _run_tui(args: argparse.Namespace) -> int:
    from advisor.tui import run

    return run(tree_path=args.tree, template_dirs=tuple(args.templates))


# -- entry point ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    from advisor.core.errors import AdvisorError, TreeValidationError

    try:
        return int(args.handler(args))
    except TreeValidationError as exc:
        print(
            f"{PROG}: error: {exc} (run '{PROG} validate {exc.file}' for details):", file=sys.stderr
        )
        for problem in exc.problems:
            if problem.severity == "error":
                print(f"  {problem.format()}", file=sys.stderr)
        return 2
    except AdvisorError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `grant-advisor ask ... | head`: the reader went away; that is not an error.
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
