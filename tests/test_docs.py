"""The documentation: the site builds without a warning, and the tutorial's commands work.

The tutorial (docs/tutorial/, in the order of the site's navigation) is run as a reader would
run it: in one empty folder, with a fresh pybuild home, page after page, each page's
` ```sh ` blocks in one shell and every block titled with a file name (` ```python
title="recipes/six.py" `) written to that file first. A page whose front matter says
``network: true`` needs the real package index (scipy's wheels); the other pages run against
the local build index (tests/support), which holds the very files the tutorial pins, so they
need no network. Later pages build on earlier ones, never on a network page.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
_FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_TITLE = re.compile(r'title="([^"]+)"')


def tutorial_pages() -> list[str]:
    """The tutorial's pages (paths under docs/), in the navigation's order (mkdocs.yml)."""
    return re.findall(r"\b(tutorial/[\w-]+\.md)$", (ROOT / "mkdocs.yml").read_text(), re.M)


@dataclass
class Page:
    """A tutorial page as a script: its files written, then its commands, in order."""

    path: str
    network: bool
    script: str
    platform: str = ""  # "cp311-x86_64": what the page's pinned wheels are for


def read_page(path: str) -> Page:
    text = (DOCS / path).read_text()
    network, only = False, ""
    if text.startswith("---\n"):
        front, text = text[4:].split("\n---\n", 1)
        network = "network: true" in front.splitlines()
        only = next(
            (
                line.split(":", 1)[1].strip()
                for line in front.splitlines()
                if line.startswith("platform:")
            ),
            "",
        )
    steps = ["set -euo pipefail"]
    for match in _FENCE.finditer(text):
        info, body = match.group(1).strip(), match.group(2)
        title = _TITLE.search(info)
        if title:
            target = shlex.quote(title.group(1))
            steps.append(f'mkdir -p "$(dirname {target})"')
            steps.append(f"cat > {target} <<'PYBUILD_DOCS_EOF'\n{body}PYBUILD_DOCS_EOF")
        elif info.split()[:1] == ["sh"]:
            steps.append(body)
    return Page(path, network, "\n".join(steps) + "\n", only)


@dataclass
class Tutorial:
    """One reader's folder and pybuild home, shared by the pages in order."""

    work: Path
    environ: dict[str, str]
    offline: dict[str, str]
    shared_home: str  # the home where this run's network tests build the default set
    done: list[str] = field(default_factory=list)

    def run(self, page: Page) -> subprocess.CompletedProcess[str]:
        """Run `page`'s commands: a hermetic page's in the reader's home, from the fixture
        index; a network page's in the home the run's network tests share (as a reader
        whose store holds the set already), where the set's packages its files build
        (matplotlib's closure, with fonttools' and pyparsing's suites, against two numpys)
        are built once for the run, not once more for the page (3 CPU-minutes of CI's)."""
        env = dict(self.environ)
        if page.network:
            env["PYBUILD_HOME"] = self.shared_home
        else:
            env.update(self.offline)
        result = subprocess.run(
            ["bash", "-c", page.script],
            cwd=self.work,
            env=env,
            capture_output=True,
            text=True,
        )
        self.done.append(page.path)
        return result


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory: pytest.TempPathFactory, build_index) -> Iterator[Tutorial]:
    from support.fixtures import index_environ
    from support.setbuild import home_environ, shared_root

    base = tmp_path_factory.mktemp("tutorial")
    bin_dir = base / "bin"
    bin_dir.mkdir()
    # `pybuild` as if installed, but this checkout's (the reader's own PYTHONPATH kept after)
    shim = bin_dir / "pybuild"
    shim.write_text(
        f"#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))}${{PYTHONPATH:+:$PYTHONPATH}} "
        f'exec {shlex.quote(sys.executable)} -m pybuild "$@"\n'
    )
    shim.chmod(0o755)
    (base / "work").mkdir()
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYBUILD_", "PIP_INDEX", "PIP_EXTRA_INDEX", "PYTHONPATH"))
    }
    environ.update(
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        PYBUILD_HOME=str(base / "home"),
        XDG_CONFIG_HOME=str(base / "config"),
        PYBUILD_SANDBOX="false",
        PYBUILD_BUILD_USERS="false",  # as root: its interpreter may be under /root (pyenv)
        HOME=str(base / "user"),
    )
    shared = home_environ(shared_root(tmp_path_factory))["PYBUILD_HOME"]
    yield Tutorial(base / "work", environ, index_environ(build_index.file_url), shared)


def _params() -> list[object]:
    return [
        pytest.param(p, marks=[pytest.mark.network] if read_page(p).network else [], id=p)
        for p in tutorial_pages()
    ]


@pytest.mark.parametrize("path", _params())
def test_tutorial_page(tutorial: Tutorial, path: str) -> None:
    """Each page's commands succeed after the pages before it (network ones if they ran)."""
    pages = tutorial_pages()
    for earlier in pages[: pages.index(path)]:
        page = read_page(earlier)
        if earlier not in tutorial.done and not page.network:
            check_plans(tutorial, page, tutorial.run(page))
    page = read_page(path)
    here = f"cp{sys.version_info.major}{sys.version_info.minor}-{platform.machine()}"
    if page.platform and page.platform != here:
        pytest.skip(f"{path} pins files for {page.platform}, not {here}")
    first = path not in tutorial.done
    result = tutorial.run(page)
    assert result.returncode == 0, f"{path}:\n{result.stdout}\n{result.stderr}"
    if first:
        check_plans(tutorial, page, result)


# A build's plan as a page shows it (``7 derivations will be made: 3 built, 4 downloaded``).
_PLAN = re.compile(r"^\d+ derivations? will be .*$", re.MULTILINE)


def check_plans(tutorial: Tutorial, page: Page, result: subprocess.CompletedProcess[str]) -> None:
    """A page's first run succeeds and prints the plans the page shows, as a reader who ran
    the pages before (the hermetic ones: the counts depend on what they stored) sees them."""
    assert result.returncode == 0, f"{page.path}:\n{result.stdout}\n{result.stderr}"
    ran = tutorial.done[: tutorial.done.index(page.path)]
    if any(read_page(earlier).network for earlier in ran):
        return  # a network page stored more than a reader of the hermetic pages has
    for plan in _PLAN.findall((DOCS / page.path).read_text()):
        assert plan in result.stderr, f"{page.path} shows {plan!r}; it printed:\n{result.stderr}"


def test_tutorial_pages_have_commands() -> None:
    """Every page of the tutorial has commands to run, and the hermetic ones are most."""
    pages = [read_page(p) for p in tutorial_pages()]
    assert all(re.search(r"^pybuild ", p.script, re.MULTILINE) for p in pages[1:])
    assert sum(not p.network for p in pages) > len(pages) // 2


def test_docs_build_strict(tmp_path: Path) -> None:
    """The site builds from this checkout with the README's command, and no warning."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("mkdocstrings_handlers.python")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # mkdocs's own log lines ("WARNING -  …"); the theme's notice of its end of life is not one
    assert not re.search(r"^(WARNING|ERROR)\b", result.stderr, re.MULTILINE), result.stderr
    assert (tmp_path / "reference" / "cli" / "index.html").is_file()
    assert (tmp_path / "reference" / "api" / "pybuild.pkgset" / "index.html").is_file()


def test_cli_reference_has_every_command() -> None:
    """The generated CLI page has a section for every command and sub-command."""
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        from cli_reference import cli_markdown
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    from pybuild.cli import _parser
    from pybuild.commands import COMMANDS

    page = cli_markdown(_parser())
    for name in [*COMMANDS, "key generate", "config show"]:
        assert f"## `pybuild {name}`" in page
    assert "| `--overlay FILE` |" in page


def _cli_page() -> str:
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        from cli_reference import cli_markdown
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    from pybuild.cli import _parser

    return cli_markdown(_parser())


def _cli_section(page: str, command: str) -> str:
    return page.split(f"## `pybuild {command}`\n", 1)[1].split("\n## ", 1)[0]


def test_cli_reference_lists_python_where_the_command_takes_it() -> None:
    """``--python`` is in the table of each command whose --help shows it (eval, build), in
    none of the others (gc refuses it, uses no package set), and the page says so."""
    import argparse

    from pybuild.cli import _parser
    from pybuild.commands import COMMANDS

    page, parser = _cli_page(), _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in COMMANDS:
        takes = "--python" in sub.choices[name].format_help()
        assert ("| `--python PYTHON` |" in _cli_section(page, name)) == takes, name
    assert "| `--python PYTHON` |" in _cli_section(page, "eval")
    assert "| `--python PYTHON` |" not in _cli_section(page, "gc")
    told = page.split("## `pybuild build`")[0]
    assert "`--python` by the commands whose table lists it" in told
    assert "`--option`, `--show-trace`, `--quiet`, `--verbose`, `--color` are accepted" in told


def test_cli_reference_shows_arguments_as_help_does() -> None:
    """A positional argument's row names it as ``--help`` does: run's ``ARG``, not ``...``,
    build's ``ATTR``, not ``[ATTR ...]``."""
    page = _cli_page()
    assert "| `ARG` |" in _cli_section(page, "run")
    assert "| `...` |" not in page
    assert "| `ATTR` |" in _cli_section(page, "build")
    assert "| `[ATTR ...]` |" not in page
    # show-derivation's ATTR|PATH: a pipe within a code span ends no cell, and an escape
    # there would be shown as a backslash
    assert "| `ATTR|PATH` |" in _cli_section(page, "show-derivation")


def test_the_default_sets_size_is_told_as_it_is() -> None:
    """README and the sets page give the default set's size: one module a package in
    recipes/, so a recipe added or removed must change them too."""
    count = len([p for p in (ROOT / "recipes").glob("*.py") if p.name != "__init__.py"])
    readme = (ROOT / "README.md").read_text()
    sets = (DOCS / "concepts" / "sets.md").read_text()
    told = f"(`recipes/` by default: {count} packages)"
    assert told in readme, f"README.md should say {told!r}"  # not the whole README, dumped
    told = f"`recipes/` holds {count} packages:"
    assert told in sets, f"docs/concepts/sets.md should say {told!r}"


def test_no_table_is_cut_by_a_blank_line() -> None:
    """A blank line ends a Markdown table: a row after it is a paragraph of literal pipes on
    the built site, which builds without a warning all the same."""
    cut = []
    for page in sorted(DOCS.rglob("*.md")):
        lines = page.read_text().splitlines()
        for number in range(2, len(lines)):
            before, blank, row = lines[number - 2 : number + 1]
            if before.startswith("|") and not blank.strip() and row.startswith("|"):
                cut.append(f"{page.relative_to(ROOT)}:{number + 1}")
    assert cut == []


def test_the_pages_run_packages_the_set_has() -> None:
    """Each ``pybuild run`` a page shows runs a package of the default set, a ``pypi:`` one
    or the interpreter: a name the set lacks is an error to the reader who copies it. (Asked
    of the set's names, not of its values: one evaluated asks the index for its files.)"""
    from pybuild.cli import _parser
    from pybuild.pkgset import package_set

    parser, pkgs = _parser(), package_set()
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for words in re.findall(r"`pybuild\s+run\s+([^`]+)`", page.read_text()):
            args = parser.parse_args(["run", *shlex.split(words)])
            if args.file:
                continue  # a file's attributes
            for attr in (args.attr, *args.with_packages):
                if attr != "python" and not attr.startswith("pypi:") and not attr.isupper():
                    found.append((f"{page.relative_to(ROOT)}: {attr}", attr in pkgs))
    assert found and [name for name, there in found if not there] == []
