"""MkDocs hooks: the reference pages are generated at build time, never written by hand.

- ``reference/cli.md``: from the argparse parsers (:mod:`cli_reference`);
- ``reference/api/<module>.md``: one page per module of ``pybuild/``, each rendered by
  mkdocstrings from the docstrings, and listed in the navigation under "API", grouped by
  package.

Modules are found by walking the source folder, so a new module gets its page without a
change here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from cli_reference import cli_markdown  # beside this file: on sys.path while hooks load
from mkdocs.structure.files import File, Files
from rst_docstrings import to_markdown

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pybuild"
API = "reference/api"
API_NAV_TITLE = "API"


def modules() -> list[str]:
    """Dotted names of every module of the package, packages before their modules."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__" or not (path.parent / "__init__.py").exists():
            continue  # a folder of scripts run by builds (builders/) is no package
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(set(names), key=lambda n: n.split("."))


def _page(name: str) -> str:
    return f"{API}/{name}.md"


def _nav_for(package: str, names: list[str]) -> list[Any]:
    """The navigation entries of `package`: itself, its modules, then its sub-packages."""
    depth = package.count(".") + 1
    children = [n for n in names if n.startswith(package + ".") and n.count(".") == depth]
    packages = [n for n in children if any(m.startswith(n + ".") for m in names)]
    entries: list[Any] = [{package: _page(package)}]
    entries += [{n.rsplit(".", 1)[1]: _page(n)} for n in children if n not in packages]
    entries += [{p: _nav_for(p, names)} for p in packages]
    return entries


def on_config(config: Any) -> Any:
    """Import pybuild from this checkout, and put the API pages into the navigation."""
    sys.path.insert(0, str(ROOT))
    names = modules()
    api = [{"Overview": f"{API}/index.md"}, *_nav_for("pybuild", names)]
    for section in config["nav"] or []:
        if isinstance(section, dict) and "Reference" in section:
            section["Reference"].append({API_NAV_TITLE: api})
    return config


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages to the site's files."""
    from pybuild.cli import _parser

    files.append(File.generated(config, "reference/cli.md", content=cli_markdown(_parser())))
    names = modules()
    files.append(File.generated(config, f"{API}/index.md", content=_api_index(names)))
    for name in names:
        files.append(File.generated(config, _page(name), content=f"::: {name}\n"))
    return files


def _api_index(names: list[str]) -> str:
    lines = [
        "# API reference\n",
        "Every module of `pybuild`, from its docstrings and type annotations. A recipe or a "
        "script needs only what the top-level `pybuild` module names; the rest is how it "
        "works.\n",
        "The examples in the docstrings run as tests (`tests/test_doctests.py`). They use a "
        "few names without defining them: `store`, an empty [`Store`][pybuild.store.Store]; "
        "`tmp`, an empty working folder; `key`, a signing key "
        '(`SecretKey.generate("ci-1")`); and `hello`, an unbuilt derivation whose builder, '
        "`/bin/sh`, writes `$out/greeting`.\n",
        "| module | what it is |",
        "|---|---|",
    ]
    for name in names:
        lines.append(f"| [`{name}`]({name}.md) | {_summary(name)} |")
    return "\n".join(lines) + "\n"


def _summary(name: str) -> str:
    """The first line of a module's docstring, read without importing it."""
    import ast

    base = PACKAGE.parent / Path(*name.split("."))
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return to_markdown(doc.split("\n\n")[0]).replace("\n", " ").replace("|", "\\|")
