"""Fuzzing the parsers of what pybuild reads from disk: no crash but our own errors.

A .drv file, a recipe file and a hash string can be anything once a user or a disk error has
been at them; each parser must either accept the input or raise a PybuildError that says
what is wrong, never an uncaught TypeError or KeyError.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pybuild.derivations import derivation, instantiate, load_derivation
from pybuild.errors import PybuildError
from pybuild.evaluate import load_module
from pybuild.hashing import parse_hash
from pybuild.store import Store

from .common import TRIALS

EXAMPLES = max(50, TRIALS * 40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = (
    "version",
    "name",
    "builder",
    "args",
    "env",
    "inputDrvs",
    "inputSrcs",
    "outputs",
    "outputHash",
    "outputHashMode",
)
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def write_drv(store: Store, name: str, text: str) -> None:
    path = store.path(name)
    if path.exists():
        os.chmod(path, 0o644)
    path.write_text(text)


@fuzz
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_a_drv_with_any_field_replaced_is_refused_cleanly(
    store: Store, field: str, value: object
) -> None:
    drv = derivation(name="fuzzed", builder="/bin/sh", args=["-c", "true"], store=store)
    name = instantiate(drv, store)
    doc = json.loads(drv.text)
    doc[field] = value
    write_drv(store, name, json.dumps(doc))
    try:
        loaded = load_derivation(store, name)
    except PybuildError:
        return
    assert loaded.text == drv.text  # accepted only if it is really the same derivation


@fuzz
@given(text=st.text(max_size=400))
def test_a_drv_with_any_text_is_refused_cleanly(store: Store, text: str) -> None:
    drv = derivation(name="garbage", builder="/bin/sh", args=["-c", "true"], store=store)
    name = instantiate(drv, store)
    write_drv(store, name, text)
    with contextlib.suppress(PybuildError):
        load_derivation(store, name)


@fuzz
@given(text=st.text(max_size=200))
def test_any_hash_text_parses_or_is_refused_cleanly(text: str) -> None:
    with contextlib.suppress(PybuildError):
        parse_hash(text)


@fuzz
@given(text=st.text(max_size=300))
def test_any_recipe_file_loads_or_is_refused_cleanly(tmp_path: Path, text: str) -> None:
    file = tmp_path / "recipe.py"
    file.write_text(text)
    with contextlib.suppress(PybuildError):
        load_module(file)


NARINFO_LINES = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "StorePath",
                "URL",
                "Compression",
                "FileHash",
                "FileSize",
                "NarHash",
                "NarSize",
                "References",
                "Deriver",
                "Sig",
                "CA",
                "Bogus",
            ]
        ),
        st.text(max_size=60),
    ),
    max_size=12,
)


@fuzz
@given(lines=NARINFO_LINES, junk=st.text(max_size=100))
def test_any_cache_metadata_parses_or_is_refused_cleanly(
    lines: list[tuple[str, str]], junk: str
) -> None:
    from pybuild.cache.info import CacheInfo, NarInfo

    text = "".join(f"{key}: {value}\n" for key, value in lines) + junk
    for parse in (NarInfo.parse, CacheInfo.parse):
        with contextlib.suppress(PybuildError):
            parse(text)


@fuzz
@given(text=st.text(max_size=400))
def test_any_lock_file_parses_or_is_refused_cleanly(text: str) -> None:
    from pybuild.importers.pylock import parse_pylock_text

    with contextlib.suppress(PybuildError):
        parse_pylock_text(text)


@fuzz
@given(
    packages=st.lists(
        st.dictionaries(
            st.sampled_from(["name", "version", "sdist", "wheels", "marker", "index"]),
            JSON,
            max_size=5,
        ),
        max_size=4,
    )
)
def test_any_lock_file_structure_parses_or_is_refused_cleanly(packages: list[dict]) -> None:
    from pybuild.importers.pylock import parse_pylock_text
    from pybuild.importers.toml import dumps

    doc = {"lock-version": "1.0", "created-by": "fuzz", "packages": packages}
    try:
        text = dumps(doc)
    except (TypeError, ValueError):
        return  # not representable as TOML: nothing a user could have written
    with contextlib.suppress(PybuildError):
        parse_pylock_text(text)
