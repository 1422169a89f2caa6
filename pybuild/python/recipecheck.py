"""Checks of a recipe's attributes, when the recipe is made: each mistake named where it is.

A wrong type in a recipe (``dependencies="six"``, ``do_check="no"``, ``skip_phases="check"``)
would otherwise surface later and elsewhere: as a string iterated letter by letter, as a
builder that crashes halfway, or not at all (a misspelt phase in ``skip_phases`` used to be
silently run). Here each attribute is checked against the kind of value it takes, and names
(attributes, phases, ``meta`` keys) are checked against the known ones, with the close names
suggested, as a misspelt attribute of the package set is. The entries of the input lists are
checked as far as they can be without resolving the set's lazy references: a name
(``dependencies=["six"]``) or a None is refused, a reference is taken on trust.

Example::

    >>> check_attrs({"pname": "six", "version": "1", "src": ".", "skip_phases": ["chek"]},
    ...             known=["skip_phases"])  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    UsageError: six: skip_phases names unknown phase 'chek'; did you mean 'check'? ...
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath

from ..errors import UsageError, did_you_mean, shown, wrong_type
from ..lazy import Lazy
from ..localsource import LocalSource
from .builder.phasenames import HOOKS, PHASES

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMATS", "META_KEYS", "NIXPKGS_NAMES", "SOURCE_KINDS", "check_attrs"]

FORMATS = ("pyproject", "wheel")
META_KEYS = ("description", "homepage", "license", "failure_hint")
SOURCE_KINDS = "a fetch (fetch_pypi, fetch_url), a path or a derivation"


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _is_strings(value: Any) -> bool:
    return _is_list(value) and all(isinstance(v, str) for v in value)


def _is_str_map(value: Any, values: Callable[[Any], bool]) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and values(v) for k, v in value.items()
    )


def _is_setting(value: Any) -> bool:
    return isinstance(value, str) or _is_strings(value)


def _is_names_or_all(value: Any) -> bool:
    return isinstance(value, bool) or _is_strings(value)


# mapping attribute -> the test of each of its values (its keys are names: strings)
_MAP_VALUES: dict[str, Callable[[Any], bool]] = {
    "optional_dependencies": _is_list,
    "env": lambda x: isinstance(x, str | os.PathLike),
    "config_settings": _is_setting,
    "remove_scripts": lambda x: isinstance(x, str),
    "meta": lambda x: isinstance(x, str),
}


def _map_of(name: str) -> Callable[[Any], bool]:
    """The test of mapping attribute `name`: names mapped to values `_MAP_VALUES` takes."""
    return lambda v: _is_str_map(v, _MAP_VALUES[name])


# attribute -> (test, what it must be); attributes not listed are not type-checked here.
_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "pname": (lambda v: isinstance(v, str) and bool(v), "a non-empty string"),
    # a fetch, a package, a lazy reference and a path are all os.PathLike; a reference is
    # taken on trust (checked when the derivation is made)
    "src": (lambda v: isinstance(v, str | os.PathLike | LocalSource), SOURCE_KINDS),
    "version": (lambda v: isinstance(v, str) and bool(v), "a non-empty string"),
    "format": (lambda v: v in FORMATS, f"one of {FORMATS}"),
    "build_system": (_is_list, "a list of packages"),
    "dependencies": (_is_list, "a list of packages"),
    "check_inputs": (_is_list, "a list of packages"),
    "native_build_inputs": (_is_list, "a list of packages"),
    "optional_dependencies": (
        _map_of("optional_dependencies"),
        "a mapping of extra names to lists of packages",
    ),
    "do_check": (lambda v: isinstance(v, bool), "True or False"),
    "imports_check": (lambda v: v is None or _is_strings(v), "None or a list of module names"),
    "allow_undeclared_imports": (lambda v: isinstance(v, bool), "True or False"),
    "env": (_map_of("env"), "a mapping of variable names to strings"),
    "config_settings": (
        _map_of("config_settings"),
        "a mapping of names to strings or lists of strings",
    ),
    "pytest_flags": (_is_strings, "a list of strings"),
    "skip_phases": (_is_strings, "a list of phase names"),
    "remove_scripts": (
        _map_of("remove_scripts"),
        "a mapping of script names to the reason each is dropped",
    ),
    "patches": (_is_list, "a list of patch files (paths or fetches)"),
    **{hook: ((lambda v: isinstance(v, str)), "a shell snippet (a string)") for hook in HOOKS},
    "relax_deps": (_is_names_or_all, "a list of requirement names, or True for all"),
    "remove_deps": (_is_names_or_all, "a list of requirement names, or True for all"),
    "meta": (
        _map_of("meta"),
        f"a mapping of {', '.join(META_KEYS)} to strings",
    ),
}


def check_attrs(attrs: Mapping[str, Any], known: Iterable[str], package: type = object) -> None:
    """Refuse unknown attributes, missing required ones, wrong types and unknown names.

    `package` is the type an entry of an input list (``dependencies``, …) may be, besides a
    lazy reference to the set's attribute (not resolved here: that would evaluate every
    dependency when its dependent is only named, and hide the cycles the derivation finds);
    the default, ``object``, takes any entry."""
    known = {"pname", "version", "src", *known}
    pname = attrs.get("pname")
    who = pname if isinstance(pname, str) else "build_python_package"
    unknown = [name for name in attrs if name not in known]
    if unknown:
        raise _unknown(who, sorted(unknown), known)
    for required in ("pname", "version", "src"):
        if required not in attrs:
            raise UsageError(f"build_python_package needs {required}=")
    for name, value in attrs.items():  # those given: a recipe gives a few of two dozen
        kind = _KINDS.get(name)
        if kind is not None and not kind[0](value):
            raise _wrong(who, name, value, kind[1])
    _check_inputs(who, attrs, package)
    for name, example in _REASONS.items():
        if name in attrs:
            _check_reasons(who, name, attrs[name], example)
    for phase in attrs.get("skip_phases", ()):
        if phase not in PHASES:
            raise UsageError(
                f"{who}: skip_phases names unknown phase {phase!r}{did_you_mean(phase, PHASES)};"
                f" the phases are {', '.join(PHASES)}"
            )
    for key in attrs.get("meta", {}):
        if key not in META_KEYS:
            raise UsageError(f"{who}: meta has unknown key {key!r}{did_you_mean(key, META_KEYS)}")
    if attrs.get("format") == "wheel" and attrs.get("patches"):
        raise UsageError(
            f"{who}: patches change a source tree, and format='wheel' installs a built wheel;"
            " build from the sdist to patch it"
        )
    if "src" in attrs:
        if attrs.get("format", "pyproject") == "wheel":
            _check_a_wheel(who, attrs["src"])
        else:
            _check_not_a_wheel(who, attrs["src"])


def _wrong(who: str, name: str, value: Any, takes: str) -> UsageError:
    """The error for attribute `name` given `value`, which is not `takes`: a mapping's wrong
    entry named, a package alone where a list goes told to be put in one, else `value`."""
    if name in _MAP_VALUES and isinstance(value, Mapping):
        return _wrong_entry(who, name, value, takes)
    got = (_alone(value) or shown(value)) if name in _INPUT_LISTS else ""
    return wrong_type(who, name, value, takes, got)


def _wrong_entry(who: str, name: str, mapping: Mapping[Any, Any], takes: str) -> UsageError:
    """The error for the first wrong entry of mapping attribute `name`: the entry named
    (``env['CFLAGS'] is the int 3``), not the whole mapping, which is one as it must be."""
    from ..pkgset import a_noun  # only a mistake pays for it

    fits = _MAP_VALUES[name]
    key, value = next((k, v) for k, v in mapping.items() if not (isinstance(k, str) and fits(v)))
    if not isinstance(key, str):
        return UsageError(
            f"{who}: {name} must be {takes}, but its key {key!r} is"
            f" {a_noun(type(key).__name__)}, not a name (a str)"
        )
    what = "None" if value is None else f"the {shown(value)}"
    error = UsageError(f"{who}: {name} must be {takes}, but {name}[{key!r}] is {what}")
    if name == "env":
        error.hint = _env_hint(key, value)
    return error


def _env_hint(key: str, value: Any) -> str:
    """How to write `value` as the string an environment variable holds: a list of flags
    joined with spaces, as a shell's CFLAGS are, a number as its digits; "" for others."""
    import json  # only an error pays for it

    if _is_strings(value):
        joined = json.dumps({key: " ".join(value)})
        return f"a variable holds a string: join the flags with spaces, env={joined}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"a variable holds a string: env={json.dumps({key: str(value)})}"
    return ""


# nixpkgs' names whose spelling leads to no pybuild name, or to the wrong one
# (propagatedBuildInputs is closest to native_build_inputs): what each is here.
NIXPKGS_NAMES = {
    "propagatedBuildInputs": "'dependencies'",
    "pyproject": "format='pyproject' (the default)",
}
# nixpkgs' passthru: attributes of a package outside its hash. What pybuild has for each use.
_PASSTHRU = (
    "pybuild has no passthru: a package's extras (nixpkgs' passthru.optional-dependencies)"
    " are optional_dependencies=, and its description, homepage and license meta=, both"
    " kept on the package outside its hash; any other value is a Python one, kept beside"
    " the package: in your module, or as an attribute of its own in the set,"
    ' extend(lambda final, prev: {"six_tests": ...})'
)


def _unknown(who: str, unknown: list[str], known: Iterable[str]) -> UsageError:
    """The error for attributes `unknown` to build_python_package: each with the close names
    or, for a name of nixpkgs' that spelling does not help with, with what it is here."""
    named = "; ".join(
        f"{name!r}; nixpkgs' name for {NIXPKGS_NAMES[name]}"
        if name in NIXPKGS_NAMES
        else f"{name!r}{did_you_mean(name, known)}"
        for name in unknown
    )
    error = UsageError(f"{who}: unknown attribute {named}")
    if "passthru" in unknown:
        error.hint = _PASSTHRU
    return error


def _check_not_a_wheel(who: str, src: Any) -> None:
    """A wheel given as the `src` of a package built from source (``format`` left out) would
    be unpacked and handed to a build backend as if it were a source tree, which builds
    something else (setuptools' fallback makes a release 0.0.0 without the wheel's modules);
    refused here, where the recipe's line is known, with the attribute that installs it."""
    wheel = _wheel_file(src)
    if wheel:
        error = UsageError(
            f"{who}: src is the wheel {wheel}, but format='pyproject' (the default) builds"
            " a source tree with its build backend; a wheel is installed as it is"
        )
        error.hint = (
            'add format="wheel" (and leave out build_system), or build from the sdist:'
            ' fetch_pypi(..., kind="sdist")'
        )
        raise error


def _check_a_wheel(who: str, src: Any) -> None:
    """The opposite mistake: ``format="wheel"`` with an sdist (``fetch_pypi`` fetches one by
    default) or a folder as `src`, which the build's unpack phase refused, naming neither
    the recipe nor what to write; refused here, at the recipe's line, as a wheel given to a
    source build is."""
    name = _file_name(src)
    if name and not name.endswith(".whl"):
        error = UsageError(
            f"{who}: src is {name}, not a wheel, but format='wheel' installs a built wheel as it is"
        )
        error.hint = (
            'fetch the wheel: fetch_pypi(..., kind="wheel"), or leave out format="wheel" to'
            " build from the source (with its build_system)"
        )
        raise error


def _wheel_file(src: Any) -> str:
    """The file name of a `src` that is a wheel (``fetch_pypi(kind="wheel")``, a local
    ``*.whl``); "" for anything else."""
    name = _file_name(src)
    return name if name.endswith(".whl") else ""


def _file_name(src: Any) -> str:
    """The file name of `src`: a fetch's (``fetch_pypi``, ``fetch_url``) or a local path's;
    "" when it has none to tell without resolving (a lazy reference is not resolved, as
    everywhere in these checks) or building anything (a package)."""
    if isinstance(src, LocalSource):
        src = src.path
    if isinstance(src, str | PurePath):
        name: object = PurePath(src).name
    else:  # a fetch is named after its file; asked by name, so that nothing is hashed here
        name = getattr(src, "name", None) if not isinstance(src, Lazy) else None
    return name if isinstance(name, str) else ""


# The attributes that list packages: each entry is checked, cheaply, when the recipe is made.
_INPUT_LISTS = ("build_system", "dependencies", "native_build_inputs", "check_inputs")


def _check_inputs(who: str, attrs: Mapping[str, Any], package: type) -> None:
    """Each entry of an input list a package or a lazy reference: a name (``"six"``) or a
    None there would otherwise fail when the derivation is made, far from the recipe."""
    lists = [(name, attrs[name]) for name in _INPUT_LISTS if name in attrs]
    extras = attrs.get("optional_dependencies", {})
    lists += [(f"optional_dependencies[{extra!r}]", extras[extra]) for extra in extras]
    accepted = (package, Lazy)
    for name, values in lists:
        for value in values:
            if not isinstance(value, accepted):
                raise _not_a_package(who, name, value)


# The attributes that map each test (or test path) left out to why, with an entry of each.
_REASONS = {"disabled_tests": "test_x", "disabled_test_paths": "tests/test_x.py"}


def _check_reasons(who: str, name: str, value: Any, example: str) -> None:
    """A ``{test: reason}`` attribute, so that the recipe says what its check phase does not
    prove; nixpkgs' list of names is refused here with the mapping it becomes, not when the
    derivation is made, where neither the package nor the recipe was named."""
    import json  # only an error pays for it

    if not isinstance(value, Mapping):
        entries = [v for v in value if isinstance(v, str)] if _is_list(value) else []
        right = {entry: "why" for entry in (entries or [example])[:2]}
        error = UsageError(
            f"{who}: {name} maps each test{' path' if 'path' in name else ''} to the reason"
            f" it is off, not the {shown(value)}: {name}={json.dumps(right)}"
        )
        error.hint = "say why each is left out: the reason is logged when the check runs"
        raise error
    for test, reason in value.items():
        if not (isinstance(test, str) and test and isinstance(reason, str) and reason.strip()):
            error = UsageError(f"{who}: {name}: {test!r} needs a reason (a non-empty string)")
            error.hint = f"{name}={json.dumps({str(test): 'why it cannot pass here'})}"
            raise error


def _not_a_package(who: str, name: str, value: Any) -> UsageError:
    """The error for an entry of input list `name` that cannot be a package; a string is
    most often the package's name written where its recipe parameter goes (the hint says
    so; an override, which takes no parameter, gives its own: ``package_named``)."""
    got = "None" if value is None else f"the {shown(value)}"
    param = value.replace("-", "_").replace(".", "_").lower() if isinstance(value, str) else ""
    named = param if param.isidentifier() else ""
    error = UsageError(f"{who}: {name} must be packages of the set, not {got}")
    if named and name == "native_build_inputs":  # a tool: often the system's, not the set's
        error.hint = _tool_hint(named)
        return error
    error.package_named = named  # type: ignore[attr-defined]  # read by getattr, if there
    error.hint = (
        f"write the recipe's parameter {param}, not its name: take it, def recipe(...,"
        f" {param}), and list that: [{param}]"
        if named
        else "list the set's packages the recipe takes as parameters: def recipe("
        "build_python_package, six): ... dependencies=[six]"
    )
    return error


def _tool_hint(param: str) -> str:
    """The hint for a tool named in ``native_build_inputs``: the set's package if the set has
    one (these checks are not given the set to ask), and where a tool it lacks comes from,
    as the default set has no C compiler and no cmake. Said for a recipe and an override
    alike, which is why it names no ``package_named`` for the override to replace it."""
    return (
        f"if the set has {param}, list its package: the recipe's parameter {param}, or"
        f" pkgs.{param} (final.{param} in an overlay) in an override; a tool of the system's"
        " (the C compiler, cmake, make) needs no entry: every build finds it on the system's"
        " PATH (/usr/local/bin, /usr/bin, /bin), in the sandbox too; a tool the package index"
        ' has as a wheel can be a package instead, as cmake and ninja are (pkgs.from_pypi("cmake"))'
    )


def _alone(value: Any) -> str:
    """A package given where a list goes (``dependencies=six``): named as the user wrote it,
    with the list it belongs in; "" for anything else."""
    if isinstance(value, Lazy):
        name = value._label.rpartition(".")[2]  # final.six: six
    elif hasattr(type(value), "drv"):
        name = str(getattr(value, "pname", type(value).__name__))
    else:
        return ""
    return f"the package {name} alone: put it in a list, [{name}]"
