"""The examples in pybuild's docstrings run, and say what they print: one test per module.

An example a reader cannot run is one nobody checks; so none is skipped. Examples run with
the module's globals and a few names that every example may use without defining them:

- ``store``: an empty store, in this test's own ``PYBUILD_HOME``;
- ``tmp``: an empty folder, which is also the working folder;
- ``key``: a signing key (``SecretKey.generate("ci-1")``);
- ``hello``: a derivation, not built, whose builder is ``/bin/sh`` writing ``$out/greeting``.

pip's configuration points at the local build index (tests/support), so ``fetch_pypi`` and
the default set's recipes evaluate and build without the network, from the same files.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from pybuild.store import Store

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pybuild"


def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ">>>" in path.read_text() and path.name != "__main__.py":
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.fixture
def namespace(
    store: Store, tmp_path: Path, use_index: Any, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    from pybuild.cache.signing import SecretKey
    from pybuild.derivations import derivation

    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    hello = derivation(
        name="hello",
        builder="/bin/sh",
        args=["-c", 'mkdir "$out" && echo hello > "$out/greeting"'],
        store=store,
    )
    return {"store": store, "tmp": work, "key": SecretKey.generate("ci-1"), "hello": hello}


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name: str, namespace: dict[str, Any]) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(module, name):
        test.globs.update(namespace)
        runner.run(test, out=report.append)
    assert runner.tries > 0, f"{name} has no example that runs"
    assert runner.failures == 0, "".join(report)


def test_no_example_is_skipped() -> None:
    """A skipped example is one nobody checks: every example runs (above)."""
    skipped = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"doctest:.*\+SKIP", line)
    ]
    assert not skipped, skipped
