"""Derivations: pure data that says how to build a store path.

A :class:`Derivation` names a builder, its arguments and environment, the derivations and
sources it needs, and its outputs. Everything that identifies it is in its canonical JSON; the
output paths follow from that JSON with each input derivation replaced by its own hash, and a
fixed-output derivation (a download) is identified by its declared hash alone, so moving a
download to a mirror rebuilds nothing downstream.

Store paths inside strings are written with a placeholder for the store directory, so the
same derivation has the same hash in any ``PYBUILD_HOME``; the realiser puts the real
directory back when it runs the builder. A derivation is usable as a path: ``f"{drv}/bin/x"``
and ``os.fspath(drv)`` give its output path, and using one derivation's path in another's
arguments makes it an input (the role of string context in Nix).

Example::

    >>> hello = derivation(name="hello", builder="/bin/sh",
    ...                    args=["-c", "mkdir $out && echo hi > $out/greeting"])
    >>> str(hello).endswith("-hello")
    True
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from .errors import (
    DerivationError,
    PybuildError,
    UsageError,
    shown,
    unexpected_arguments,
    wrong_type,
)
from .frozen import Frozen, cached
from .hashing import parse_hash
from .localsource import LocalSource, local_source
from .store import Store, default_home
from .store.paths import HASH_LEN, MAX_NAME, check_name, make_name
from .store.temproots import add_temp_roots
from .userfiles import call_site

TYPE_CHECKING = False  # typing, like dataclasses, is an import no evaluation needs
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "MAX_DRV_NAME",
    "STORE_TOKEN",
    "Derivation",
    "WithInputs",
    "derivation",
    "derivation_of",
    "input_paths",
    "instantiate",
    "instantiate_all",
    "load_derivation",
    "placeholder",
]

# The longest name a derivation may have: its .drv file's store name has ".drv" more.
MAX_DRV_NAME = MAX_NAME - len(".drv")

STORE_TOKEN = "@pybuild-store@"
_FORMAT_VERSION = 1
_HASH_MODES = ("flat", "recursive")
_LISTS = (list, tuple)  # what a list argument usually is (any iterable but a string is taken)
_known: dict[str, Derivation] = {}  # output hash part -> derivation made in this process
_valid_sources: set[tuple[str, str]] = set()  # (store dir, basename) found valid here
# One encoder for every member of the canonical JSON (json.dumps makes one a call).
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_string = json.encoder.encode_basestring  # a string as that encoder writes it, one call


class Derivation(Frozen):
    """How to build one or more store paths; equal when their .drv files are equal.
    Immutable (:class:`~pybuild.frozen.Frozen`)."""

    name: str
    builder: str
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    input_drvs: tuple[Derivation, ...]
    input_srcs: tuple[str, ...]
    outputs: tuple[str, ...]
    output_hash: str | None
    output_hash_mode: str
    meta: Mapping[str, Any]  # shown by ``pybuild eval``; not part of its identity
    _output_hex: str  # a fixed output's hash in hex, parsed once

    def __init__(
        self,
        name: str,
        builder: str,
        args: tuple[str, ...] = (),
        env: tuple[tuple[str, str], ...] = (),
        input_drvs: tuple[Derivation, ...] = (),
        input_srcs: tuple[str, ...] = (),
        outputs: tuple[str, ...] = ("out",),
        output_hash: str | None = None,
        output_hash_mode: str = "flat",
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self._freeze(
            name=name,
            builder=builder,
            args=args,
            env=env,
            input_drvs=input_drvs,
            input_srcs=input_srcs,
            outputs=outputs,
            output_hash=output_hash,
            output_hash_mode=output_hash_mode,
            meta={} if meta is None else meta,
        )
        self._check()

    def _check(self) -> None:
        check_name(self.name)  # once: its paths' names (but other outputs') are made from it
        if len(self.name) > MAX_DRV_NAME:
            check_name(self.name + ".drv")  # too long with it: says so
        if not self.builder:
            raise DerivationError(f"derivation {self.name!r} has no builder")
        if not self.outputs:
            raise DerivationError(f"derivation {self.name!r}: outputs names none (as 'out')")
        if len(set(self.outputs)) != len(self.outputs):
            raise DerivationError(f"derivation {self.name!r}: outputs must be distinct names")
        if self.output_hash is not None:
            if self.outputs != ("out",):
                raise DerivationError("a fixed-output derivation has exactly one output, 'out'")
            if self.output_hash_mode not in _HASH_MODES:
                raise DerivationError(f"output_hash_mode must be one of {_HASH_MODES}")
            parsed = parse_hash(self.output_hash)
            self.__dict__["output_hash"] = parsed.sri
            self.__dict__["_output_hex"] = parsed.hex  # what its hash and path are made of

    # -- identity ---------------------------------------------------------------------------

    @property
    def is_fixed_output(self) -> bool:
        return self.output_hash is not None

    @cached
    def hash_modulo(self) -> str:
        """The hash that dependents see: content of this derivation, inputs by their hashes."""
        if self.output_hash is not None:
            text = f"fixed:out:{self.output_hash_mode}:{self._output_hex}:"
            return hashlib.sha256((text + self.output_paths["out"]).encode()).hexdigest()
        data = self._json(
            input_drvs=sorted([d.hash_modulo for d in self.input_drvs]),
            outputs={o: "" for o in self.outputs},
        )
        return hashlib.sha256(data.encode()).hexdigest()

    @cached
    def output_paths(self) -> dict[str, str]:
        """Output name -> store basename."""
        if self.output_hash is not None:
            digest = self._output_hex
            if self.output_hash_mode == "recursive":
                return {"out": make_name("source", digest, self.name, checked=True)}
            fixed = hashlib.sha256(f"fixed:out:sha256:{digest}:".encode()).hexdigest()
            return {"out": make_name("output:out", fixed, self.name, checked=True)}
        return {
            o: make_name(f"output:{o}", self.hash_modulo, self.name, checked=True)
            if o == "out"
            else make_name(f"output:{o}", self.hash_modulo, f"{self.name}-{o}")
            for o in self.outputs
        }

    @cached
    def text(self) -> str:
        """The canonical JSON of the .drv file."""
        return self._json(
            input_drvs=sorted([d.drv_name for d in self.input_drvs]), outputs=self.output_paths
        )

    @cached
    def drv_name(self) -> str:
        """The store basename of the .drv file."""
        digest = hashlib.sha256(self.text.encode()).hexdigest()
        return make_name("text", digest, self.name + ".drv", checked=True)

    def _json(self, *, input_drvs: list[str], outputs: Mapping[str, str]) -> str:
        """The canonical JSON with these inputs and outputs: the hash modulo and the .drv text
        differ only there, so the rest is serialised once (:attr:`_json_parts`). The inputs
        are hex digests or store basenames, which JSON writes as they are, quoted."""
        head, middle, tail = self._json_parts
        inputs = '["' + '","'.join(input_drvs) + '"]' if input_drvs else "[]"
        members = ",".join([f"{_string(o)}:{_string(outputs[o])}" for o in sorted(outputs)])
        return f"{head}{inputs}{middle}{{{members}}}{tail}"

    @cached
    def _json_parts(self) -> tuple[str, str, str]:
        """The canonical JSON (keys sorted, no spaces, UTF-8) with ``inputDrvs`` and
        ``outputs`` cut out: one ``json.dumps`` of the document with a number in their place.
        Each cut is found by its key after a comma: inside a JSON string every quote is
        escaped, so ``,"inputDrvs":0,`` can only be the member itself."""
        text = _encode(
            {
                "args": list(self.args),
                "builder": self.builder,
                "env": dict(self.env),
                "inputDrvs": 0,
                "inputSrcs": sorted(self.input_srcs),
                "name": self.name,
                "outputHash": self.output_hash,
                "outputHashMode": self.output_hash_mode,
                "outputs": 0,
                "version": _FORMAT_VERSION,
            }
        )
        head, _, rest = text.partition(',"inputDrvs":0')
        middle, _, tail = rest.partition(',"outputs":0')
        return f'{head},"inputDrvs":', f'{middle},"outputs":', tail

    # -- use as a path ----------------------------------------------------------------------

    @property
    def out(self) -> str:
        """The basename of the ``out`` output."""
        return self.output_paths["out"]

    def path(self, output: str = "out", store: Store | None = None) -> str:
        """The absolute path of an output in `store` (the default store when not given)."""
        if output not in self.output_paths:
            raise UsageError(f"{self.name} has no output {output!r}; it has {self.outputs}")
        return f"{_store_dir(store)}{os.sep}{self.output_paths[output]}"

    def __fspath__(self) -> str:
        return self.path()

    def __str__(self) -> str:
        return self.path()

    def __format__(self, spec: str) -> str:
        return format(self.path(), spec)

    def __repr__(self) -> str:
        return f"<Derivation {self.drv_name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Derivation) and other.drv_name == self.drv_name

    def __hash__(self) -> int:
        return hash(self.drv_name)


def derivation(
    *,
    name: str,
    builder: str | os.PathLike[str],
    args: Sequence[object] = (),
    env: Mapping[str, object] | None = None,
    srcs: Sequence[str | os.PathLike[str] | LocalSource] = (),
    outputs: Sequence[str] = ("out",),
    output_hash: str | None = None,
    output_hash_mode: str = "flat",
    store: Store | None = None,
    meta: Mapping[str, Any] | None = None,
    **misspelt: Any,
) -> Derivation:
    """Make a derivation; the primitive every recipe is built on, usable for any build.

    Arguments and environment values may be strings, derivations or paths. A local path (a
    :class:`pathlib.Path`, or an entry of `srcs`) is copied into the store, as a path literal
    is in Nix: a folder, its source files alone (:mod:`pybuild.localsource`; a
    :func:`~pybuild.localsource.local_source` chooses them otherwise); `srcs` are exposed to
    the builder as ``$srcs``. Any store path that appears in a string, such as
    ``f"{other}/bin/tool"``, makes that derivation or source an input.

    Any other name is refused, naming the close ones (``arg``: did you mean ``args``?).
    """
    if misspelt:  # refused here, with the close names, not by Python's bare TypeError
        known = (*_ARGUMENTS, "store")
        raise unexpected_arguments("derivation", misspelt, known, _FETCHES_NAMES)
    if not (  # the usual types, asked cheaply (every node of a graph is made here)
        type(name) is str
        and (type(builder) is str or isinstance(builder, os.PathLike))
        and type(args) in _LISTS
        and (env is None or type(env) is dict)
        and type(srcs) in _LISTS
        and (
            outputs == ("out",)
            or (type(outputs) in _LISTS and all(type(o) is str for o in outputs))
        )
        and (output_hash is None or type(output_hash) is str)
        and type(output_hash_mode) is str
        and (meta is None or type(meta) is dict)
    ):  # others (a generator, a str's subclass) too, but each mistake is refused by name
        given = (name, builder, args, env, srcs, outputs, output_hash, output_hash_mode, meta)
        _check_arguments(dict(zip(_ARGUMENTS, given, strict=True)))
    store = store or Store.default()
    context = _Context(store)
    src_paths = [
        context.value(s if isinstance(s, Derivation | LocalSource) else Path(s)) for s in srcs
    ]
    try:
        full_env = {k: context.value(v) for k, v in (env or {}).items()}
    except UsageError as exc:
        raise _naming_the_value(exc, context, name, "env", (env or {}).items()) from None
    if src_paths:
        full_env.setdefault("srcs", " ".join(src_paths))
    for key in full_env:
        if not isinstance(key, str):
            raise UsageError(
                f"{_who(name)}: env's names must be strings, the variables' names, not {shown(key)}"
            )
        if not key or "=" in key or "\0" in key:
            raise UsageError(f"env {key!r} cannot be a variable's name: it is empty or holds '='")
    for reserved in (*outputs, "TMPDIR", "HOME", "PATH"):
        if reserved in full_env:
            raise UsageError(f"env {reserved!r} is set by the builder's environment; rename it")
    try:
        values = tuple([context.value(a) for a in args])
    except UsageError as exc:
        raise _naming_the_value(exc, context, name, "args", enumerate(args)) from None
    drv = Derivation(
        name=name,
        builder=context.value(builder),
        args=values,
        env=tuple(sorted(full_env.items())),
        input_drvs=tuple([context.drvs[k] for k in sorted(context.drvs)]),
        input_srcs=tuple(sorted(context.srcs)),
        outputs=tuple(outputs),
        output_hash=output_hash,
        output_hash_mode=output_hash_mode,
        meta=_with_position(meta) if output_hash is not None else dict(meta or {}),
    )
    for basename in drv.output_paths.values():  # made by make_name: <hash part>-<name>
        _known[basename[:HASH_LEN]] = drv
    return drv


def _is_list(value: object) -> bool:
    """A list of values (any iterable but a string, which would be taken letter by letter,
    or a mapping, its keys)."""
    return isinstance(value, list | tuple) or (
        isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)
    )


# The arguments of derivation() checked when it is called -> (test, what it takes), in the
# order of its signature: each mistake a raw Python error later (a string split into
# letters, a None iterated), or worse (a folder's whole tree copied for a string's "/").
_ARGUMENTS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "name": (lambda v: isinstance(v, str), "a string"),
    "builder": (lambda v: isinstance(v, str | os.PathLike), "a program's path or a derivation"),
    "args": (_is_list, "a list of strings, paths or derivations"),
    "env": (lambda v: v is None or isinstance(v, Mapping), "a mapping of names to values"),
    "srcs": (_is_list, "a list of strings, paths or derivations"),
    "outputs": (
        lambda v: isinstance(v, list | tuple) and all(isinstance(o, str) for o in v),
        "a list of names",
    ),
    "output_hash": (lambda v: v is None or isinstance(v, str), "a hash (a string) or None"),
    "output_hash_mode": (lambda v: isinstance(v, str), f"one of {_HASH_MODES}"),
    "meta": (lambda v: v is None or isinstance(v, Mapping), "a mapping of names to values"),
}


# Names the fetches give their hash, written to derivation(): its argument is output_hash.
_FETCHES_NAMES = {"hash": "output_hash", "sha256": "output_hash"}


def _naming_the_value(
    exc: UsageError, context: _Context, name: str, what: str, items: Iterable[tuple[Any, Any]]
) -> UsageError:
    """`exc`, a value of `what` (env, args) that no builder can be given, told with which
    (``env 'A'``, ``args[1]``): found again only once one failed, so that the usual call
    pays nothing for it."""
    for key, value in items:
        try:
            context.value(value)
        except UsageError as inner:
            which = f"{what} {key!r}" if what == "env" else f"{what}[{key}]"
            error = UsageError(f"{_who(name)}: {which}: {inner.args[0]}")
            error.hint = inner.hint
            return error
    return exc


def _who(name: object) -> str:
    return f"derivation {name!r}" if isinstance(name, str) else "derivation"


def _check_arguments(given: Mapping[str, object]) -> None:
    """Refuse the first argument of derivation() (by name in `given`) that is not of a kind
    it takes, saying what it takes."""
    for argument, (test, takes) in _ARGUMENTS.items():
        if not test(given[argument]):
            raise wrong_type(_who(given["name"]), argument, given[argument], takes)


def _with_position(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """A fixed output's `meta` with where its hash is given, when derivation() was called
    from the user's line (Nix's meta.position), for a mismatch found when it is built to
    name it; a fetch gives its own (the line that called it), kept."""
    meta = dict(meta or {})
    if "position" not in meta and (site := call_site(2, through=())):
        meta["position"] = site
    return meta


def derivation_of(value: Any) -> Derivation | None:
    """The derivation `value` is built as: itself, or a package's or environment's ``.drv``
    (asked of the class, so that nothing else is evaluated: a missing attribute raised by a
    recipe must not read as "no package"); None for anything else."""
    if isinstance(value, Derivation):
        return value
    if not hasattr(type(value), "drv"):
        return None
    drv = value.drv  # evaluated: a recipe's error (an AttributeError too) is raised
    return drv if isinstance(drv, Derivation) else None


class WithInputs(str):
    """Text that names derivations' outputs already by placeholder (:func:`placeholder`),
    carrying those derivations: Nix's string context, made explicit for text built from many
    paths at once (a package's builder attributes name every input). :func:`derivation` takes
    them as inputs without scanning the text for what its maker already knew."""

    drvs: tuple[Derivation, ...]

    def __new__(cls, text: str, drvs: Iterable[Derivation]) -> WithInputs:
        made = super().__new__(cls, text)
        made.drvs = tuple(drvs)
        return made


def placeholder(drv: Derivation) -> str:
    """How a derivation's ``out`` is written in the text of another (the store directory by
    :data:`STORE_TOKEN`); the text must carry `drv` as an input (:class:`WithInputs`)."""
    return f"{STORE_TOKEN}/{drv.output_paths.get('out') or drv.path()}"  # path(): no out


class _Context:
    """Turns argument values into placeholder strings and records which inputs they use."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.prefix = str(store.dir) + os.sep
        self.drvs: dict[str, Derivation] = {}  # by .drv basename
        self.srcs: set[str] = set()

    def value(self, value: object) -> str:
        if type(value) is str:  # most values: asked first, as cheaply as Python can
            text = value
        elif isinstance(value, Derivation):
            self.drvs[value.drv_name] = value
            return placeholder(value)
        elif isinstance(value, str):
            text = str(value)
            if isinstance(value, WithInputs):
                for drv in value.drvs:
                    self.drvs[drv.drv_name] = drv
        elif isinstance(value, os.PathLike):
            text = os.fspath(value)
            if not text.startswith(self.prefix):
                return self._source(local_source(value))
        elif isinstance(value, int | float):
            text = str(value)
        elif isinstance(value, LocalSource):
            return self._source(value)
        elif value is None:
            raise UsageError("cannot pass None to a builder (a string, path, number or package)")
        else:
            raise UsageError(f"cannot pass {type(value).__name__} {value!r} to a builder")
        if self.prefix not in text:  # most values name no store path: nothing to scan
            return text
        for match in _store_path_pattern(self.prefix).finditer(text):
            self._note(match.group(0)[len(self.prefix) :], match.group(1))
        return text.replace(self.prefix, STORE_TOKEN + "/")

    def _source(self, source: LocalSource) -> str:
        """A local path, as the store path of its source files (:mod:`pybuild.localsource`)."""
        basename = source.add_to(self.store)
        self.srcs.add(basename)
        return f"{STORE_TOKEN}/{basename}"

    def _note(self, basename: str, hash_part: str) -> None:
        drv = _known.get(hash_part)
        if drv is not None:
            self.drvs[drv.drv_name] = drv
        elif self._valid_source(basename):
            self.srcs.add(basename)
        else:
            raise UsageError(
                f"{self.prefix}{basename} is used but is neither a derivation made here nor a"
                " valid store path"
            )

    def _valid_source(self, basename: str) -> bool:
        """Whether a store path named in a value is valid; rooted first, so it stays so.

        Remembered per process (the same few sources are named many times): a path once
        rooted stays rooted until the process ends.
        """
        if (self.prefix, basename) in _valid_sources:
            return True
        if not self.store.is_valid_rooted(basename):
            return False
        _valid_sources.add((self.prefix, basename))
        return True


@functools.lru_cache(maxsize=8)
def _store_path_pattern(prefix: str) -> re.Pattern[str]:
    """Store paths under `prefix` (a store directory and a separator), hash part grouped."""
    return re.compile(re.escape(prefix) + r"([0-9abcdfghijklmnpqrsvwxyz]{32})-[A-Za-z0-9+\-._?=]+")


def _store_dir(store: Store | None) -> str:
    """`store`'s directory, or the default store's: of the home as the environment names it
    now (``PYBUILD_HOME``, else ``XDG_DATA_HOME``; a relative one from the working folder)."""
    return str(store.dir) if store is not None else _home_store_dir(default_home())


@functools.lru_cache(maxsize=8)
def _home_store_dir(home: Path) -> str:
    return str(Store.at(str(home)).dir)


def instantiate(drv: Derivation, store: Store) -> str:
    """Write the .drv files of `drv` and its inputs to the store; returns its .drv basename.

    The .drv is a root until this process ends (and with it, by references, its inputs' .drv
    files and sources), so a collection cannot take them before the build starts.
    """
    instantiate_all([drv], store)
    return drv.drv_name


def instantiate_all(drvs: Iterable[Derivation], store: Store) -> None:
    """Write the .drv files of `drvs` and of their inputs that the store lacks, in one registry
    transaction (Nix writes a graph's .drv files as it evaluates; one transaction each would
    cost more than the builds of a small graph). Each stays a root until this process ends."""
    from .graph import toposort  # only building writes .drv files

    missing = _missing_drvs(drvs, store)

    def missing_inputs(drv: Derivation) -> list[Derivation]:
        return [i for i in drv.input_drvs if i.drv_name in missing]

    texts = [  # each after its inputs: a text's references must be stored before it
        (d.name + ".drv", d.text, [i.drv_name for i in d.input_drvs] + list(d.input_srcs))
        for d in toposort(missing.values(), missing_inputs, lambda d: d.drv_name)
    ]
    if texts:
        store.add_texts(texts)


def _missing_drvs(drvs: Iterable[Derivation], store: Store) -> dict[str, Derivation]:
    """The .drv files the store lacks, by name, found a level of the graph at a time: each
    level rooted (one write) and asked about (one query) at once, where each .drv was rooted
    and asked about alone, and only the inputs of what is missing looked at next: a valid
    .drv's inputs are valid too (they are its references)."""
    missing: dict[str, Derivation] = {}
    asked: set[str] = set()
    level = list(drvs)
    while level:
        new = {d.drv_name: d for d in level if d.drv_name not in asked}
        asked.update(new)
        add_temp_roots(store, new)  # before they are found valid: a collection keeps them
        valid = store.valid_among(new)
        fresh = [d for name, d in new.items() if name not in valid]
        missing.update((d.drv_name, d) for d in fresh)
        level = [i for d in fresh for i in d.input_drvs]
    return missing


def load_derivation(store: Store, drv_name: str, *, exact: bool = True) -> Derivation:
    """Read a .drv from the store, checking that it is well-formed and was not edited.

    `exact=False` also takes a .drv (or input .drv) whose text is not the canonical form of
    the derivation it holds, as long as that form hashes to its name: only its formatting
    changed, so the derivation is the one its name stands for, and its canonical text is the
    file's content again (``pybuild verify --repair`` writes it back so)."""
    return _load(store, drv_name, {}, exact)


def _load(
    store: Store, drv_name: str, cache: dict[str, Derivation], exact: bool = True
) -> Derivation:
    if drv_name in cache:
        return cache[drv_name]
    where = str(store.path(drv_name))
    try:
        text = store.path(drv_name).read_text()
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("version") != _FORMAT_VERSION:
            raise DerivationError(f"{where}: not a pybuild derivation (format {_FORMAT_VERSION})")
        drv = Derivation(
            name=_str(doc["name"]),
            builder=_str(doc["builder"]),
            args=tuple(_str(a) for a in doc["args"]),
            env=tuple(sorted((_str(k), _str(v)) for k, v in dict(doc["env"]).items())),
            input_drvs=tuple(_load(store, _str(d), cache, exact) for d in doc["inputDrvs"]),
            input_srcs=tuple(_str(s) for s in doc["inputSrcs"]),
            outputs=tuple(_str(o) for o in dict(doc["outputs"])),
            output_hash=doc["outputHash"],
            output_hash_mode=_str(doc["outputHashMode"]),
        )
    except DerivationError:
        raise
    except OSError as exc:
        raise DerivationError(f"{where}: cannot read ({exc.strerror})") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DerivationError(f"{where}: malformed derivation ({exc!r})") from None
    except PybuildError as exc:  # from validation: an invalid name or hash
        raise DerivationError(f"{where}: malformed derivation ({exc})") from None
    if drv.drv_name != drv_name:
        raise DerivationError(
            f"{where} was modified: its content no longer matches its name"
            f" (it would be {drv.drv_name})"
        )
    if exact and drv.text != text:
        error = DerivationError(
            f"{where} was modified: its text is not the canonical form of its derivation (the"
            " derivation itself is unchanged: it still has this name)"
        )
        error.hint = "pybuild verify --check-contents --repair writes its canonical text back"
        raise error
    cache[drv_name] = drv
    return drv


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {value!r}")
    return value


def input_paths(drv: Derivation) -> Iterable[str]:
    """Basenames of everything a build of `drv` may read: input outputs and sources."""
    for dep in drv.input_drvs:
        yield from dep.output_paths.values()
    yield from drv.input_srcs
