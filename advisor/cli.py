"""The ``grant-advisor`` command line.

``grant-advisor`` alone opens the TUI; subcommands are scriptable and never import Textual:

    ask       replay answers; print the next question or the recommendation
    validate  check a tree file and report every problem
    tree      export the whole tree (Mermaid, Markdown, JSON, an HTML page)
    schema    print the JSON Schema of the tree format
    sample    print one runnable sample for a flow you already know
    check-server  which flows an authorization server supports (RFC 8414 metadata)

Exit codes: 0 success, 1 validation problems found (``validate``), 2 usage or input error.
``ask --discover`` and ``sample --discover`` exit 0 when the server answered without usable
metadata (a templated issuer, another issuer, no document): the advice is printed with the
problem as an error finding; a server that cannot be read at all exits 2, as in
``check-server``.
Heavy modules (pydantic models, Jinja2, httpx, Textual) are imported inside the commands that
need them, so each command pays only for what it uses.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from advisor import __version__
from advisor.core.vocabulary import CLIENT_AUTH_METHODS, LANGUAGE_IDS, LIBRARIES, LIBRARY_IDS

if TYPE_CHECKING:
    from advisor.core.errors import DiscoveryError
    from advisor.server.model import ServerMetadata
    from advisor.tree.loader import LoadedTree

PROG = "grant-advisor"


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line plus a pointer to --help, exit code 2."""

    def error(self, message: str) -> NoReturn:
        # The message may quote what was typed (unrecognized arguments): one clean line.
        from advisor.core.termsafe import one_line

        self.exit(2, f"{self.prog}: error: {one_line(message)} (see '{self.prog} --help')\n")


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
        help="an answer, e.g. situation=own_service (repeatable; order does not matter)",
    )
    ask.add_argument(
        "--answers-file",
        metavar="PATH",
        help="answers to replay: a YAML or JSON 'question: choice' mapping, the output of "
        "'ask --format json', or a Markdown report made by 'ask --format markdown' "
        "(its answers and parameters)",
    )
    ask.add_argument(
        "-f",
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text for reading (default), json for scripts, markdown for a report that "
        "--answers-file can replay",
    )
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
        help="export the whole tree (Mermaid diagram, Markdown reference, JSON, HTML page)",
        description="Export the whole decision tree for documentation or other tools. "
        "'html' is one self-contained page that walks the tree in the browser.",
    )
    _add_common_flags(tree, argparse.SUPPRESS)
    tree.add_argument(
        "-f",
        "--format",
        choices=("mermaid", "markdown", "json", "html"),
        default="mermaid",
        help="mermaid: a flowchart (default); markdown: a reference of every question, outcome "
        "and source, with the flowchart; json: the validated tree, itself a valid tree file; "
        "html: one self-contained interactive page that walks the tree",
    )
    tree.add_argument(
        "--direction",
        choices=("TD", "LR"),
        default="TD",
        help="Mermaid layout: top-down (default) or left-right (better for wide trees)",
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
    sample.add_argument(
        "--lang",
        choices=LANGUAGE_IDS,
        action="append",
        help="sample language (required, once, unless --library names it: sample prints one "
        "program; 'ask --lang' takes several)",
    )
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
    check.add_argument(
        "-f",
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for reading (default) or json for scripts",
    )
    _add_output_flags(check)
    check.set_defaults(handler=_cmd_check_server)
    return parser


def _add_output_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="PATH", help="write to a file (atomically)")
    parser.add_argument("--force", action="store_true", help="replace an existing output file")


_LIBRARY_CHOICES = ", ".join(f"{spec.id} ({spec.language})" for spec in LIBRARIES.values())


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
        group.add_argument(
            "--library",
            action="append",
            choices=LIBRARY_IDS,
            help=f"build its language's sample on a client library: {_LIBRARY_CHOICES}; "
            "repeatable, each replaces the dependency-free sample of its language (the "
            "others stay); a flavour the outcome's sample lacks falls back to the "
            "dependency-free one, with a note",
        )
    else:
        group.add_argument(
            "--library",
            action="append",
            choices=LIBRARY_IDS,
            help=f"print the sample built on a client library instead: {_LIBRARY_CHOICES} "
            "(it implies --lang)",
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
    """Print ``text``, or write it to ``--output`` atomically.

    Raises:
        ExportError: the output file cannot be written, or standard output is closed or
            cannot be written (a full disk, ...).
    """
    output = getattr(args, "output", None)
    if output:
        from advisor.core.termsafe import shown_path
        from advisor.exports.files import write_atomic

        written = write_atomic(output, text, force=args.force)
        _note(f"wrote {shown_path(written)}")
    else:
        _write_stdout(text)


def _note(line: str) -> None:
    """``line`` on stderr, cleaned of terminal controls; a closed stderr is no error."""
    from advisor.core.termsafe import clean

    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(clean(line), file=sys.stderr)


def _write_stdout(text: str) -> None:
    """Write ``text`` to standard output and flush it, so a failure is seen here.

    A broken pipe (the reader went away) propagates as :class:`BrokenPipeError`, which
    :func:`main` treats as success. Characters the output's encoding cannot hold are written
    as backslash escapes (:func:`main` sets that up; a replacement stream may not have it).

    Raises:
        ExportError: standard output is closed, or writing fails (``ENOSPC``, ``EIO``, ...).
    """
    from advisor.core.errors import ExportError

    stream = sys.stdout
    if stream is None or getattr(stream, "closed", False):
        raise ExportError("standard output is closed: nothing was written")
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "ascii"
            stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
    except BrokenPipeError:
        raise
    except ValueError:  # "I/O operation on closed file"
        raise ExportError("standard output is closed: nothing was written") from None
    except OSError as exc:
        _silence_stdout()  # what is still buffered must not fail again at exit
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ExportError(f"cannot write to standard output: {reason}") from None


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
    interval = values.get("interval")
    if isinstance(interval, str) and re.fullmatch(r"[0-9]{1,9}", interval.strip()):
        values["interval"] = int(interval)  # older reports recorded it as text
    return values


class Recorded(NamedTuple):
    """What an answers file holds."""

    answers: list[tuple[str, str]]
    """``(question, choice)`` pairs, in order."""
    parameters: dict[str, Any]
    """Recorded sample parameters (``SampleParams`` names), as a report writes them."""
    libraries: tuple[str, ...] = ()
    """Library flavours the report's samples were built on (``--library``)."""


def _parse_answers(args: argparse.Namespace) -> Recorded:
    """Answers from ``--answers-file`` then ``--answer`` flags, and what the file recorded."""
    from advisor.core.errors import AnswerError

    recorded = Recorded([], {})
    if args.answers_file:
        recorded = _read_answers_file(args.answers_file)
    answers = recorded.answers
    flagged: dict[str, str] = {}
    for item in args.answer:
        question, sep, choice = item.partition("=")
        if not sep or not question.strip() or not choice.strip():
            raise AnswerError(
                f"--answer {item!r}: expected QUESTION=CHOICE, e.g. situation=own_service"
            )
        flagged[question.strip()] = choice.strip()
    # A flag overrides the file's answer to the same question.
    answers = [(q, c) for q, c in answers if q not in flagged] + list(flagged.items())
    return recorded._replace(answers=answers)


def _read_answers_file(path: str) -> Recorded:
    """Read answers from YAML/JSON, ``ask --format json`` output, or a Markdown report.

    Raises:
        AnswerError: the file is not one of those, or holds a value of the wrong kind.
    """
    from advisor.core.errors import AnswerError, TreeError, TreeValidationError
    from advisor.core.fields import shown
    from advisor.exports.markdown import extract_answers_block
    from advisor.tree.loader import read_text
    from advisor.tree.yamlsafe import parse

    text = read_text(Path(path), path)
    block = extract_answers_block(text)
    if block is not None:
        text = block
    try:
        data, problems = parse(text, path)  # JSON is YAML: one safe parser for both
    except TreeValidationError as exc:  # not a tree: its first problem, not "in the tree"
        problem = exc.problems[0] if exc.problems else None
        reason = f"{problem.location()}: {problem.message}" if problem else str(exc)
        raise AnswerError(f"{reason} (in the answers file)") from None
    except TreeError as exc:
        raise AnswerError(str(exc)) from None
    if problems:
        raise AnswerError(problems[0].format())
    parameters: dict[str, Any] = {}
    libraries: tuple[str, ...] = ()
    if isinstance(data, dict) and "answers" in data:
        recorded = data.get("parameters")
        if isinstance(recorded, dict):
            parameters = recorded
        listed = data.get("libraries")
        if listed is not None:
            if not isinstance(listed, list) or not all(
                isinstance(lib, str) and lib in LIBRARIES for lib in listed
            ):
                raise AnswerError(
                    f"{path}: libraries must be a list of {', '.join(LIBRARIES)}, "
                    f"not {shown(listed)}"
                )
            libraries = tuple(listed)
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
    return Recorded(pairs, parameters, libraries)


# -- commands ------------------------------------------------------------------------------------


def _cmd_ask(args: argparse.Namespace) -> int:
    from advisor.advice import advise
    from advisor.core.fields import check_parameters
    from advisor.session import Session

    answers, recorded, replayed = _parse_answers(args)
    parameters = _given_parameters(args, recorded)
    if not args.library and replayed:
        # A report's flavours, replayed (those of languages that --lang leaves out are not).
        args.library = [
            lib for lib in replayed if args.lang is None or LIBRARIES[lib].language in args.lang
        ]
    check_parameters(parameters)  # a value that can never work is a usage error
    if args.discover and not parameters.get("issuer"):
        from advisor.core.errors import ParameterError

        raise ParameterError("--discover needs --issuer URL (the authorization server's issuer)")
    libraries = _checked_libraries(args.library or (), args.lang)
    session = Session.replay(_load(args).tree, answers)
    recommendation = session.recommendation()
    # Nothing is fetched for an incomplete walk or an outcome without a flow.
    wants_server = recommendation is not None and recommendation.outcome.grant != "none"
    metadata, problem = (
        _discover_for_advice(parameters["issuer"])
        if args.discover and wants_server
        else (None, None)
    )
    advice = advise(
        session,
        parameters,
        languages=args.lang,
        libraries=libraries,
        template_dirs=tuple(args.templates),
        metadata=metadata,
        discovery_error=problem,
    )
    if args.format == "json":
        from advisor.core.termsafe import json_text
        from advisor.exports.data import session_data

        text = json_text(session_data(advice))
    elif args.format == "markdown":
        from advisor.exports.markdown import question_markdown, recommendation_markdown

        text = recommendation_markdown(advice) if recommendation else question_markdown(session)
    else:
        from advisor.exports.text import question_text, recommendation_text

        text = recommendation_text(advice) if recommendation else question_text(session, PROG)
    _emit(args, text)
    return 0


def _checked_libraries(libraries: Sequence[str], languages: Sequence[str] | None) -> list[str]:
    """``ask --library``: each library once, and for a language that is asked for.

    Raises:
        ParameterError: a library with ``--lang none``, or for a language not among ``--lang``.
    """
    from advisor.core.errors import ParameterError

    chosen = list(dict.fromkeys(libraries))
    if chosen and languages is not None and "none" in languages:
        raise ParameterError(f"--library {chosen[0]} asks for a sample, and --lang none for none")
    for library in chosen:
        language = LIBRARIES[library].language
        if languages is not None and language not in languages:
            raise ParameterError(
                f"--library {library} is a {language} library: add --lang {language} "
                "(or leave --lang out for every language)"
            )
    return chosen


def _discover(issuer: str) -> ServerMetadata:
    # Imported here: httpx is loaded only when a command really reads metadata.
    from advisor.server.fetch import discover

    return discover(issuer)


def _discover_for_advice(issuer: str) -> tuple[ServerMetadata | None, DiscoveryError | None]:
    """Discovery for ``ask`` and ``sample``: the metadata, or the problem when the server
    answered but gave no metadata usable for ``issuer`` (a templated issuer, another issuer,
    no document anywhere): the advice is still printed, with the problem as an error finding.
    A server that cannot be read at all (network, TLS, time, size, redirects) stays an error
    (exit 2)."""
    from advisor.core.errors import ANSWERED_DISCOVERY_CODES, DiscoveryError

    try:
        return _discover(issuer), None
    except DiscoveryError as exc:
        if exc.code not in ANSWERED_DISCOVERY_CODES:
            raise
        return None, exc


def _cmd_validate(args: argparse.Namespace) -> int:
    from advisor.core.errors import TreeValidationError
    from advisor.core.termsafe import one_line

    try:
        loaded = _load(args, args.path)
    except TreeValidationError as exc:
        lines = [one_line(problem.format()) for problem in exc.problems]
        _write_stdout("\n".join([*lines, one_line(f"{exc}: not valid")]) + "\n")
        return 1
    tree = loaded.tree
    lines = [one_line(problem.format()) for problem in loaded.warnings]
    warnings = len(loaded.warnings)
    lines.append(
        one_line(
            f"{loaded.file}: valid: {len(tree.questions)} questions, "
            f"{len(tree.outcomes)} outcomes, {len(tree.flows)} flows, {len(tree.sources)} sources"
        )
        + (f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
    )
    _write_stdout("\n".join(lines) + "\n")
    return 0


def _cmd_tree(args: argparse.Namespace) -> int:
    tree = _load(args).tree
    if args.format == "mermaid":
        from advisor.exports.mermaid import tree_mermaid

        text = tree_mermaid(tree, direction=args.direction)
    elif args.format == "markdown":
        from advisor.exports.reference import tree_reference

        text = tree_reference(tree, direction=args.direction)
    elif args.format == "html":
        from advisor.exports.html import tree_html

        text = tree_html(tree, tuple(args.templates))
    else:
        from advisor.core.termsafe import json_text
        from advisor.exports.data import tree_data

        text = json_text(tree_data(tree))
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
        from advisor.core.termsafe import json_text

        text = json_text(report.as_dict())
    else:
        text = server_report_text(report)
    _emit(args, text)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from advisor.advice import SampleChoice, advise
    from advisor.core.errors import ParameterError, TemplateError
    from advisor.core.fields import check_parameters
    from advisor.core.vocabulary import sample_key
    from advisor.samples.catalog import (
        DEFAULT_TEMPLATE,
        TEMPLATES,
        shipped_flavours,
        shipped_templates,
    )

    if args.list:
        lines = ["Flows (their default sample):"]
        lines += [f"  {flow:<20} {template}" for flow, template in DEFAULT_TEMPLATE.items()]
        lines += ["", "Sample templates (languages; library flavours, for --library):"]
        flavours = shipped_flavours()
        for template, languages in shipped_templates().items():
            info = TEMPLATES.get(template)
            libraries = flavours.get(template, ())
            lines.append(
                f"  {template} ({', '.join(languages)}"
                + (f"; {', '.join(libraries)}" if libraries else "")
                + ")"
            )
            if info:
                lines.append(f"      {info.title}")
        _emit(args, "\n".join(lines) + "\n")
        return 0
    if not args.flow:
        raise ParameterError(
            "sample needs a FLOW (or --list), e.g. 'grant-advisor sample "
            "client_credentials --lang python'"
        )
    library = _sample_library(args.library or ())
    if not args.lang and library is not None:
        args.lang = [LIBRARIES[library].language]
    if not args.lang:
        raise ParameterError(f"sample needs --lang ({', '.join(LANGUAGE_IDS)})")
    if len(set(args.lang)) > 1:
        raise ParameterError(
            f"sample prints one program: give one --lang, not {', '.join(args.lang)} "
            "(ask --lang takes several)"
        )
    language = args.lang[0]
    if library is not None and LIBRARIES[library].language != language:
        raise ParameterError(
            f"--library {library} is a {LIBRARIES[library].language} library, not a {language} one"
        )
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
    metadata, problem = (
        _discover_for_advice(parameters["issuer"]) if args.discover else (None, None)
    )
    advice = advise(
        SampleChoice(template, flow if flow in DEFAULT_TEMPLATE else None),
        parameters,
        languages=[language],
        libraries=[library] if library else [],
        template_dirs=tuple(args.templates),
        metadata=metadata,
        discovery_error=problem,
    )
    if advice.compatibility is not None:
        for finding in advice.compatibility.findings:
            _note(f"{finding.severity}: {finding.message}")
    rendered = advice.samples[sample_key(language, library)]
    for assumption in rendered.assumptions:
        _note(f"note: {assumption.text}")
    _emit(args, rendered.code)
    return 0


def _sample_library(libraries: Sequence[str]) -> str | None:
    """The one ``sample --library``, if any.

    Raises:
        ParameterError: several different ones (sample prints one program).
    """
    from advisor.core.errors import ParameterError

    chosen = list(dict.fromkeys(libraries))
    if len(chosen) > 1:
        raise ParameterError(
            f"sample prints one program: give one --library, not {', '.join(chosen)} "
            "(ask --library takes several)"
        )
    return chosen[0] if chosen else None


def _cmd_schema(args: argparse.Namespace) -> int:
    from advisor.tree.schema import schema_text

    _emit(args, schema_text())
    return 0


def _run_tui(args: argparse.Namespace) -> int:
    from advisor.core.errors import AdvisorError

    problem = _terminal_problem()
    if problem is not None:
        raise AdvisorError(
            f"the interactive walk needs a terminal on standard input, but {problem}; "
            f"use '{PROG} ask' to answer from a script"
        )
    from advisor.tui import run

    return run(tree_path=args.tree, template_dirs=tuple(args.templates))


def _terminal_problem() -> str | None:
    """Why standard input cannot drive the TUI, or None.

    Closed (``sys.stdin`` is None, or its descriptor is not open) or not a terminal
    (``< /dev/null``, a pipe, a file): Textual would wait for keys that never come, or fail
    with a traceback. A stand-in without a descriptor (an embedding program, a test
    harness) is left to the caller.
    """
    import io
    import os

    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        return "it is closed"
    try:
        descriptor = stream.fileno()
    except io.UnsupportedOperation:
        return None
    except (OSError, ValueError):
        return "it is closed"
    try:
        os.fstat(descriptor)
    except OSError:
        return "it is closed"
    if not os.isatty(descriptor):
        return "it is a file or a pipe"
    return None


# -- entry point ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting.

    Every failure ends in one line on stderr (``grant-advisor: error: ...``; a broken tree
    adds one line per problem), cleaned of terminal controls, never a traceback: 2 for any
    error, 1 only for ``validate``'s problems, 130 for Ctrl-C, 0 when the reader of our
    output went away (a broken pipe).
    """
    _tolerate_unencodable_output()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    from advisor.core.errors import AdvisorError, TreeValidationError

    try:
        return int(args.handler(args))
    except TreeValidationError as exc:
        _note(f"{PROG}: error: {_line(exc)} (run '{PROG} validate {exc.file}' for details):")
        for problem in exc.problems:
            if problem.severity == "error":
                _note(f"  {_line(problem.format())}")
        return 2
    except AdvisorError as exc:
        _note(f"{PROG}: error: {_line(exc)}")
        return exc.exit_code
    except KeyboardInterrupt:
        _note("")
        return 130
    except BrokenPipeError:
        # `grant-advisor ask ... | head`: the reader went away; that is not an error.
        _silence_stdout()
        return 0
    except RecursionError:
        _note(f"{PROG}: error: the input is nested too deeply to be processed")
        return 2
    except MemoryError:
        _note(f"{PROG}: error: out of memory")
        return 2
    except Exception as exc:  # a bug: still one line, never a traceback (README)
        _note(
            f"{PROG}: error: unexpected {type(exc).__name__}: {_line(exc)} "
            "(a bug in grant-advisor; please report it)"
        )
        return 2


def _line(value: object) -> str:
    """An error's text as one line, cleaned of terminal controls (it may quote a server)."""
    from advisor.core.termsafe import one_line

    return one_line(str(value))


def _tolerate_unencodable_output() -> None:
    """Write what stdout's or stderr's encoding cannot hold as backslash escapes.

    With ``PYTHONIOENCODING=ascii`` or a Latin-1 terminal, a recommendation's arrows and
    quotes would otherwise stop the command with ``UnicodeEncodeError``.
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and getattr(stream, "errors", None) == "strict":
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def _silence_stdout() -> None:
    """Point the process's stdout at the null device, so what is still buffered cannot fail
    again when Python flushes it at exit. Only the real stdout: a stand-in (a test's capture,
    an embedding program's stream) is left alone."""
    import os

    stdout = sys.stdout
    if stdout is not sys.__stdout__ or stdout is None:
        return
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)
