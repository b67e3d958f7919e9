"""Issue 15, kinds 6, 8, 14 and 15 (templates): custom template folders and the compiled
template cache.

- a symbolic link never takes a template out of its folders (``template_symlink_and_hang.sh``,
  part 1), and a FIFO or device in a folder cannot hang the tool;
- rendering a custom template has a time limit (part 2) and a bounded output;
- a sample holding raw terminal controls is refused;
- Jinja's bytecode cache: a cache folder others can write is not used, so its entries are
  never unpickled (``cache_jinja_pickle_rce.sh``); a full or read-only cache folder turns the
  cache off instead of failing the render (``cache_unwritable_breaks_ask.sh``, simulated); an
  entry that is a FIFO or a huge sparse file is not read.
"""

from __future__ import annotations

import errno
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

from advisor.cli import main
from advisor.core import cache
from advisor.core.errors import TemplateError
from advisor.samples import jinja
from advisor.samples.catalog import TEMPLATE_DIR
from advisor.samples.params import SampleParams
from advisor.samples.render import render_sample

PARAMS = SampleParams()


def _in_time(call: Callable[[], Any], seconds: float = 60) -> Any:
    """``call()`` in a thread, so a regression (a hang) fails the test instead."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    return outcome[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "templates"
    path.mkdir()
    return path


# -- symbolic links and special files ----------------------------------------------------------


def test_a_template_linked_out_of_its_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    (folder / "client_credentials.py.j2").symlink_to(secret)
    with pytest.raises(TemplateError, match="outside the template folders") as info:
        render_sample("client_credentials", "python", PARAMS, [folder])
    assert "TOP SECRET" not in str(info.value)


def test_an_include_linked_out_of_its_folder_is_refused(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """template_symlink_and_hang.sh, part 1 (a file of ours instead of /etc/shadow)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    (folder / "_license.j2").symlink_to(secret)
    (folder / "client_credentials.py.j2").write_text("# {% include '_license.j2' %}\n")
    argv = ["sample", "client_credentials", "--lang", "python", "--templates", str(folder)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and "TOP SECRET" not in err
    assert err.count("\n") == 1 and "'_license.j2' resolves to" in err and "refused" in err


def test_links_that_stay_inside_the_folders_are_followed(folder: Path) -> None:
    (folder / "parts").mkdir()
    (folder / "parts" / "head.j2").write_text("# head\n")
    (folder / "_head.j2").symlink_to(folder / "parts" / "head.j2")
    (folder / "client_credentials.py.j2").write_text("{% include '_head.j2' %}x = 1\n")
    rendered = render_sample("client_credentials", "python", PARAMS, [folder])
    assert rendered.code == "# head\nx = 1\n"


def test_a_fifo_in_a_template_folder_does_not_hang(folder: Path) -> None:
    os.mkfifo(folder / "_part.j2")
    (folder / "client_credentials.py.j2").write_text("{% include '_part.j2' %}\n")
    error = _in_time(lambda: render_sample("client_credentials", "python", PARAMS, [folder]))
    assert isinstance(error, TemplateError) and "'_part.j2' not found" in str(error)


def test_a_huge_template_file_is_not_read(folder: Path) -> None:
    with (folder / "_huge.j2").open("wb") as stream:
        stream.truncate(jinja.MAX_TEMPLATE_BYTES + 1)  # sparse: no disk used
    (folder / "client_credentials.py.j2").write_text("{% include '_huge.j2' %}\n")
    with pytest.raises(TemplateError, match="not a regular file of at most"):
        render_sample("client_credentials", "python", PARAMS, [folder])


# -- time and size limits ----------------------------------------------------------------------


def test_rendering_has_a_time_limit(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """template_symlink_and_hang.sh, part 2: 10**10 empty iterations, each loop allowed."""
    monkeypatch.setattr(jinja, "RENDER_SECONDS", 0.5)
    (folder / "client_credentials.py.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    error = _in_time(lambda: render_sample("client_credentials", "python", PARAMS, [folder]))
    elapsed = time.monotonic() - started
    assert isinstance(error, TemplateError)
    assert "took more than 0.5 s and was stopped" in str(error)
    assert elapsed < 10
    # The render itself was stopped, not left running in the background.
    deadline = time.monotonic() + 10
    while any(t.name == "grant-advisor template" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the render thread is still running"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{% for i in range(20000) %}{{ 'x' * 100 }}{% endfor %}", "longer than 1,048,576"),
        ("{{ 'x' * 100000000 }}", "too long"),
        ("{{ [0] * 100000000 }}", "too long"),
        ("{{ 2 ** 100000000 }}", "exponent 100000000 is too large"),
    ],
)
def test_output_and_arithmetic_are_bounded(folder: Path, source: str, words: str) -> None:
    (folder / "client_credentials.py.j2").write_text(source)
    error = _in_time(lambda: render_sample("client_credentials", "python", PARAMS, [folder]))
    assert isinstance(error, TemplateError) and words in str(error), error


@pytest.mark.parametrize("character", ["\x1b", "\x9b", "\u202e", "\u2028", "\x07", "\x0c"])
def test_a_sample_with_raw_control_characters_is_refused(
    folder: Path, character: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A custom template's output reached the terminal with its escape sequences."""
    (folder / "client_credentials.py.j2").write_text(
        f"print('ok')\nprint('{character}]0;owned')\n", encoding="utf-8", newline=""
    )
    argv = ["sample", "client_credentials", "--lang", "python", "--templates", str(folder)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    code = f"U+{ord(character):04X}"
    assert (
        f"client_credentials.py.j2:2: the rendered sample contains the control character {code}"
        in err
    )
    assert character not in err


def test_every_shipped_sample_is_free_of_raw_controls() -> None:
    """The check above holds no shipped template back."""
    from advisor.core.termsafe import UNSAFE
    from advisor.core.vocabulary import LIBRARIES
    from advisor.samples.catalog import TEMPLATES, shipped_flavours

    rendered = [
        render_sample(template, language, PARAMS)
        for template, info in TEMPLATES.items()
        for language in info.languages
    ]
    rendered += [
        render_sample(template, LIBRARIES[library].language, PARAMS, library=library)
        for template, libraries in shipped_flavours().items()
        for library in libraries
    ]
    assert len(rendered) > 30
    assert [r.filename for r in rendered if UNSAFE.search(r.code)] == []


# -- the compiled-template cache ---------------------------------------------------------------


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh private cache folder, and environments built again to use it."""
    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    monkeypatch.setenv("GRANT_ADVISOR_CACHE_DIR", str(root))
    monkeypatch.delenv("GRANT_ADVISOR_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_warned", set())
    jinja.environment.cache_clear()
    yield root
    jinja.environment.cache_clear()


def _entry(folder: Path, name: str) -> Path:
    """Where Jinja keeps the compiled form of shipped template ``name``."""
    key = jinja2.FileSystemBytecodeCache(str(folder)).get_cache_key(
        name, os.path.normpath(os.path.join(TEMPLATE_DIR, name))
    )
    return folder / f"__jinja2_{key}.cache"


class _Marker:
    """A pickle that makes a folder when it is loaded: proof that an entry was unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.path),))


def _plant(folder: Path, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    entry = _entry(folder, "client_credentials.py.j2")
    entry.write_bytes(jinja2.bccache.bc_magic + pickle.dumps(_Marker(marker), 2))


@pytest.mark.parametrize("shared", [True, False])
def test_entries_in_a_folder_others_can_write_are_never_unpickled(
    cache_folder: Path, tmp_path: Path, shared: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """cache_jinja_pickle_rce.sh: whoever could write the cache folder ran code in ours. The
    private case shows the planted entry is one Jinja would load."""
    marker = tmp_path / "unpickled"
    _plant(cache_folder / "templates", marker)
    if shared:
        cache_folder.chmod(0o777)  # a shared GRANT_ADVISOR_CACHE_DIR
    rendered = render_sample("client_credentials", "python", PARAMS)
    assert "client_credentials" in rendered.filename
    if shared:
        assert not marker.exists()
        assert "is writable by other users: caching is off" in capsys.readouterr().err
    else:
        assert marker.exists()  # a private folder is trusted: only we can write it


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_cache_folder_that_cannot_be_written_turns_the_cache_off(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch, error: int
) -> None:
    """cache_unwritable_breaks_ask.sh, simulated: every cache write fails."""
    calls: list[str] = []

    def unwritable(*args: Any, **kwargs: Any) -> Any:
        calls.append("write")
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", unwritable)
    for template in ("client_credentials", "refresh_token", "device_code"):
        rendered = render_sample(template, "python", PARAMS)
        assert rendered.code
    assert calls == ["write"]  # tried once, then off for the run
    assert list((cache_folder / "templates").iterdir()) == []


def test_a_cache_write_cut_short_leaves_no_temporary_file(
    cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(self: Any, stream: Any) -> None:
        stream.write(b"partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(jinja2.bccache.Bucket, "write_bytecode", disk_full)
    assert render_sample("client_credentials", "python", PARAMS).code
    assert list((cache_folder / "templates").iterdir()) == []


@pytest.mark.parametrize("kind", ["fifo", "sparse", "garbage"])
def test_an_entry_that_is_not_a_small_regular_file_is_not_read(
    cache_folder: Path, kind: str
) -> None:
    folder = cache_folder / "templates"
    folder.mkdir(mode=0o700)
    entry = _entry(folder, "client_credentials.py.j2")
    if kind == "fifo":
        os.mkfifo(entry)
    elif kind == "sparse":
        with entry.open("wb") as stream:
            stream.truncate(cache.MAX_ENTRY_BYTES + 1)
    else:
        entry.write_bytes(jinja2.bccache.bc_magic + b"\x80not a pickle")
    rendered = _in_time(lambda: render_sample("client_credentials", "python", PARAMS))
    assert not isinstance(rendered, BaseException), rendered
    assert "grant_type" in rendered.code and "client_credentials" in rendered.code
