"""Settings, layered the way nix.conf is: defaults, a config file, the environment, --option.

Each layer overrides the one before it, so a user can keep their usual choices in a file, change
one for a shell session with ``PYBUILD_<NAME>``, and change it for a single command with
``--option NAME VALUE`` without editing anything. Every value remembers where it came from,
because "why is jobs 8?" is the first question when a setting surprises someone.

Settings are declared once, in :data:`SETTINGS`; a later feature adds a line there and gets
parsing, validation, the environment variable and ``pybuild config show`` for free. Names are
compared after turning ``-`` into ``_``, so Nix-style ``keep-failed`` and Python-style
``keep_failed`` are the same setting.

Anything that does not fit is an error, never silently ignored: a misspelt name in the file would
otherwise leave the user wondering why their setting has no effect, so unknown names are rejected
with the closest known names suggested, and bad values are reported with their setting and source.

Example::

    >>> settings = load_settings([("keep-failed", "yes")], environ={"HOME": "/nonexistent"})
    >>> settings.keep_failed, settings.get("keep-failed")
    (True, True)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from .errors import BadArgument, MissingAttribute, SettingsError
from .records import record

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "LONGEST",
    "NOT_SETTINGS",
    "SETTINGS",
    "Setting",
    "Settings",
    "Value",
    "config_file",
    "forget_command_line",
    "format_settings",
    "load_settings",
    "use_command_line",
]


@record(frozen=True)
class Setting:
    """The declaration of one setting.

    `type` is ``int``, ``bool``, ``str`` or ``list`` (meaning a list of strings); it decides how
    text from the environment or --option is read and which TOML type the file must use.
    `minimum` bounds an ``int`` setting: every int setting is a count or a duration, so none
    may be negative, and some may have to be higher still. `maximum` bounds it above (0: no
    bound): a duration is handed to the system's timers, which fail on one past 2**63 ns.
    `choices`, when not empty, are the only values a ``str`` setting may take: a value outside
    them is refused wherever it is given (file, environment, --option, the program), rather
    than in the middle of the build that first reads it.
    `items` names a ``list`` setting's items when none can hold a comma (``keys``: ``NAME:base64``):
    a comma in a word from the environment or --option is then told as the wrong separator, as
    someone used to comma-separated lists writes it, rather than left to fail later as one
    malformed item, where the setting and its source are no longer known.
    `folder`: a ``str`` setting that names a folder, empty or absolute once ``~`` is expanded
    (:func:`_folder`).
    """

    name: str
    type: type
    default: object
    doc: str
    minimum: int = 0
    maximum: int = 0
    choices: tuple[str, ...] = ()
    items: str = ""
    folder: bool = False


# The largest duration a setting takes, in seconds (68 years): 0 is "no limit", and the
# system's timers (threading's, a socket's, setitimer) fail on 9223372037 s or more.
LONGEST = 2**31 - 1

SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in (
        Setting(
            "jobs",
            int,
            1,
            "how many builds run here at once, besides remote builders' (-j overrides; 0: only"
            " what no builder can take, as downloads or the builds of an unreachable builder)",
        ),
        Setting(
            "cores",
            int,
            0,
            "cores one build may use (0: this machine's, shared equally by the builds at once)",
        ),
        Setting("keep_failed", bool, False, "keep a failed build's directory for inspection"),
        Setting(
            "build_dir",
            str,
            "",
            "where builds unpack and run, a new folder each (empty: TMPDIR, as Nix builds)",
            folder=True,
        ),
        Setting("log_lines", int, 25, "how many last lines of a failed build's log are shown"),
        Setting(
            "build_timeout",
            int,
            0,
            "seconds a builder may run before it is killed (0: none)",
            maximum=LONGEST,
        ),
        Setting("substituters", list, [], "binary caches to ask before building"),
        Setting(
            "trusted_public_keys", list, [], "keys whose signatures are accepted", items="keys"
        ),
        Setting("require_sigs", bool, True, "refuse cache entries not signed by a trusted key"),
        Setting(
            "connect_timeout",
            int,
            5,
            "seconds a binary cache, or a remote builder's ssh, may take to answer (0: none)",
            maximum=LONGEST,
        ),
        Setting(
            "stalled_download_timeout",
            int,
            60,
            "seconds a download or upload may make no progress, and over which a download must"
            " average download_min_speed (0: no check)",
            maximum=LONGEST,
        ),
        Setting(
            "download_min_speed",
            int,
            1024,
            "bytes per second a download must average over stalled_download_timeout",
        ),
        Setting(
            "download_deadline",
            int,
            3600,
            "seconds one download may take (0: no limit)",
            maximum=LONGEST,
        ),
        Setting(
            "link_cache",
            str,
            "auto",
            "a folder keeping what binary caches gave, unpacked: the next store on its disk"
            " hard-links it instead of downloading (auto: $XDG_CACHE_HOME/pybuild/links, where"
            " it can be used; empty: none)",
        ),
        Setting("auto_optimise", bool, False, "hard-link identical files after each build"),
        Setting(
            "sandbox",
            str,
            "relaxed",
            "true | false | relaxed: isolate builders (bwrap)",
            choices=("true", "false", "relaxed"),
        ),
        Setting(
            "build_users",
            bool,
            True,
            "as root, run builds outside the sandbox as build users too, as those in it always"
            " are (false: as root, able to change anything on the machine)",
        ),
        Setting("eval_cache", bool, True, "answer a repeated build from what it evaluated before"),
        Setting(
            "prefer",
            str,
            "any",
            "any | sdist | wheel, for the projects a pypi: request or import takes from the index"
            " (not the set's recipes): 'sdist' makes one whose sdist cannot be built an error"
            " instead of taking its wheel; 'wheel' takes the wheel of every one that has one for"
            " the interpreter, as pip and uv install it",
            choices=("any", "sdist", "wheel"),
        ),
        Setting(
            "builders",
            str,
            "",
            "remote build machines: 'ssh://[user@]host[:port] [systems [ssh-key [jobs [speed"
            " [features [mandatory-features]]]]]]' lines separated by ';' (the URI may end in"
            " ?home=DIR&pybuild=CMD), or @FILE for a machines file (--builders overrides)",
        ),
        Setting("ssh_options", list, [], "options given to ssh for remote builders"),
        Setting("remote_pybuild", str, "pybuild", "the command that runs pybuild on a builder"),
    )
}

_ENV_PREFIX = "PYBUILD_"
# PYBUILD_* variables that pybuild gives its builds (pybuild.buildstep: every builder's; the
# derivations of pybuild.python.package and .environment; the Python builder's test run): a
# pybuild run by a build step meets them, and must not take them for misspelt settings.
_SET_FOR_BUILDS = frozenset(
    {
        "PYBUILD_BUILD_CORES",
        "PYBUILD_BUILD_TOP",
        "PYBUILD_ATTRS",
        "PYBUILD_PYTHON",
        "PYBUILD_ENV",
        "PYBUILD_ENV_LAYOUT",
        "PYBUILD_TEST_COUNTS",
        "PYBUILD_DESELECT",
    }
)
# The PYBUILD_* variables that name no setting: where pybuild's store and config file are, and
# those it sets for builds.
NOT_SETTINGS = frozenset({"PYBUILD_HOME", "PYBUILD_CONFIG", *_SET_FOR_BUILDS})
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_TYPE_NAMES = {int: "an integer", bool: "a boolean", str: "a string"}


@record(frozen=True)
class Value:
    """A setting's effective value and where it came from.

    `source` is ``"default"``, the config file's path, ``"env PYBUILD_<NAME>"``, ``"--option"``
    or ``"argument"`` (set by the program, e.g. from ``-j``).
    """

    name: str
    value: object
    source: str


def _fresh(default: object) -> object:
    """A default of one's own: a list setting's list, which a caller may change, is copied;
    the others are immutable (``copy``, for this alone, was an import of every command)."""
    return list(default) if isinstance(default, list) else default


class Settings:
    """The effective settings: one :class:`Value` per declared setting, immutable.

    Read a value as an attribute (``settings.jobs``) or with :meth:`get`, which also accepts the
    hyphenated spelling. Values not given are the declared defaults, so ``Settings()`` is the
    defaults alone, untouched by the user's file or environment.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Iterable[Value] = ()) -> None:
        self._values = {
            name: Value(name, _fresh(setting.default), "default")
            for name, setting in SETTINGS.items()
        }
        self._values.update((value.name, value) for value in values)

    def __getattr__(self, name: str) -> Any:
        # Private and dunder names are never settings; answering them here would recurse while
        # _values is not set yet (e.g. in copy or pickle).
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name].value
        except KeyError:
            raise MissingAttribute(name, "settings", SETTINGS) from None

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{v.name}={v.value!r}" for v in self.values()) + ")"

    def get(self, name: str) -> Any:
        """The value of setting `name`, in either spelling (``keep-failed``, ``keep_failed``)."""
        return self._values[_lookup(name).name].value

    def source(self, name: str) -> str:
        """Where setting `name` came from (:attr:`Value.source`), for a message about a value
        found wrong only when it is used, as a trusted key that is not base64."""
        return self._values[_lookup(name).name].source

    def values(self) -> list[Value]:
        """Every setting with its value and source, sorted by name (for ``config show``)."""
        return sorted(self._values.values(), key=lambda value: value.name)

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with some values replaced by the program, e.g. ``jobs`` from ``-j``.

        The values are checked like the config file's, so a bad override fails here with the
        setting named rather than later in whatever uses it.
        """
        replaced = []
        for name, value in overrides.items():
            setting = _lookup(name)
            replaced.append(Value(setting.name, _check(setting, value, "argument"), "argument"))
        return Settings([*self._values.values(), *replaced])


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the config file is looked for: ``$PYBUILD_CONFIG``, else the XDG config directory.

    The XDG base directory spec says a relative ``XDG_CONFIG_HOME`` is invalid and must be
    ignored, so only an absolute one is used; otherwise it is ``~/.config``.
    """
    env = os.environ if environ is None else environ
    if explicit := env.get("PYBUILD_CONFIG"):
        return Path(explicit)
    base = env.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base, "pybuild", "config.toml")


# The command line's --option pairs, for the settings read deep in an evaluation (a pypi:
# package's `prefer`), where no command line is at hand: set by each command that reads them.
_COMMAND_LINE: list[tuple[str, str]] = []


def use_command_line(
    options: Sequence[tuple[str, str]], environ: Mapping[str, str] | None = None
) -> None:
    """Make the command line's ``--option`` pairs part of every later :func:`load_settings`
    of this process (until the next command sets its own), as they are of the command's.

    They, and the ``PYBUILD_*`` variables of `environ` (``os.environ``), are checked now, for
    every command: one that reads no setting (``eval``, ``search``) would otherwise take a
    misspelt name, or a value no setting takes, without a word (as Nix warns of an unknown
    setting whatever the command). The config file is checked when it is read, as ever."""
    env = os.environ if environ is None else environ
    for var in sorted(env):
        if var.startswith(_ENV_PREFIX) and var not in NOT_SETTINGS:
            source = f"env {var}"
            _parse(_lookup(var.removeprefix(_ENV_PREFIX).lower(), source), env[var], source)
    for name, text in options:
        try:
            _parse(_lookup(name, "--option"), text, "--option")
        except SettingsError as exc:  # a word of the command line that cannot be read: exit 2
            bad = BadArgument(*exc.args)
            bad.hint = exc.hint
            raise bad from None
    _COMMAND_LINE[:] = options


def forget_command_line() -> None:
    """Undo :func:`use_command_line`: later settings are read without its pairs."""
    _COMMAND_LINE.clear()


def load_settings(
    options: Sequence[tuple[str, str]] = (), environ: Mapping[str, str] | None = None
) -> Settings:
    """The effective settings: defaults, overridden by the file, the environment, then the
    command line's ``--option`` pairs (:func:`use_command_line`) and `options`.

    `options` are ``--option NAME VALUE`` pairs in command-line order (a later pair wins).
    `environ` defaults to ``os.environ``; it is also where the config file's location is read.
    """
    env = os.environ if environ is None else environ
    values: list[Value] = []

    path = config_file(env)
    seen: dict[str, str] = {}
    for key, raw in _read_config(path, explicit=bool(env.get("PYBUILD_CONFIG"))).items():
        setting = _lookup(key, str(path))
        if setting.name in seen:
            # Both spellings in one file: neither can be said to win, so make the user choose.
            raise SettingsError(
                f"{path}: setting {setting.name!r} is set twice, as "
                f"{seen[setting.name]!r} and {key!r}"
            )
        seen[setting.name] = key
        values.append(Value(setting.name, _check(setting, raw, str(path)), str(path)))

    for var in sorted(env):  # sorted, so which bad variable is reported does not vary
        if not var.startswith(_ENV_PREFIX) or var in NOT_SETTINGS:
            continue
        source = f"env {var}"
        setting = _lookup(var.removeprefix(_ENV_PREFIX).lower(), source)
        values.append(Value(setting.name, _parse(setting, env[var], source), source))

    for name, text in [*_COMMAND_LINE, *options]:
        setting = _lookup(name, "--option")
        values.append(Value(setting.name, _parse(setting, text, "--option"), "--option"))

    return Settings(values)


def format_settings(settings: Settings, as_json: bool) -> str:
    """All settings as a table of name, value and source, or as a JSON object of each name's
    value and source, keyed by name as ``nix show-config --json`` is (``jq .jobs.value``).

    The table shows values the way the environment and --option accept them (``true``, lists
    space-separated, quoted as for a shell), so a value can be copied from it into
    ``PYBUILD_<NAME>``; the JSON keeps a list a list.
    """
    values = settings.values()
    if as_json:
        import json  # only `config show --json` needs it

        return json.dumps(
            {v.name: {"value": v.value, "source": v.source} for v in values}, indent=2
        )
    rows = [("NAME", "VALUE", "SOURCE")] + [(v.name, _show(v.value), v.source) for v in values]
    name_width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    return "\n".join(
        f"{name:<{name_width}}  {value:<{value_width}}  {source}" for name, value, source in rows
    )


def _lookup(name: str, source: str = "") -> Setting:
    """The declaration of `name` in either spelling; unknown names suggest the closest ones."""
    canonical = name.replace("-", "_")
    if canonical in SETTINGS:
        return SETTINGS[canonical]
    import difflib  # only an error pays for it

    # Compared in lower case, as a name is declared: JOBS is as close to jobs as Jobs is.
    close = difflib.get_close_matches(canonical.lower(), list(SETTINGS), n=3, cutoff=0.6)
    # Suggest in the spelling of the source, so the user can paste the suggestion back.
    if source.startswith("env "):
        shown = [_ENV_PREFIX + match.upper() for match in close]
    else:
        shown = [repr(match) for match in close]
    text = f"unknown setting {name!r}" + (f" from {source}" if source else "")
    if shown:
        text += "; did you mean " + ", ".join(shown) + "?"
    error = SettingsError(text)
    error.hint = "known settings: " + ", ".join(sorted(SETTINGS))
    if source.startswith("env "):
        error.hint = (
            f"every {_ENV_PREFIX}* variable must name a setting, except PYBUILD_HOME,"
            " PYBUILD_CONFIG and those pybuild gives its builds"
            f" ({', '.join(sorted(_SET_FOR_BUILDS))}); " + error.hint
        )
    raise error


def _parse(setting: Setting, text: str, source: str) -> object:
    """`text` from the environment or --option read as `setting`'s type."""
    if setting.type is bool:
        if (flag := _BOOLEANS.get(text.strip().lower())) is None:
            raise _bad(setting, text, source, "expected true/false, yes/no or 1/0")
        return flag
    if setting.type is int:
        # Python's int() also takes other scripts' digits, 1_000 and spaces around; a setting
        # is written in ASCII digits, as TOML and Nix write a number.
        digits = text[1:] if text[:1] in ("+", "-") else text
        if not (digits.isascii() and digits.isdigit()):
            raise _bad(setting, text, source, "expected an integer")
        return _check(setting, int(text), source)
    if setting.type is list:
        return _split_words(setting, text, source)
    if setting.choices and (word := text.strip().lower()) in setting.choices:
        return word  # PYBUILD_SANDBOX=True, read in any case as a boolean's YES is
    return _check(setting, text, source)


def _split_words(setting: Setting, text: str, source: str) -> list[str]:
    """A list value's words, split as a shell splits a command line, as Nix splits
    ``NIX_SSHOPTS``: an ssh option whose value has spaces (``-o 'ProxyCommand=nc %h %p'``) is
    one word when quoted, where splitting on spaces alone would hand ssh its pieces."""
    import shlex  # only a list setting given as text needs it

    try:
        words = shlex.split(text)
    except ValueError as exc:  # shlex's two errors: a quote left open, a final lone backslash
        fault = (
            "a quote is not closed" if "quotation" in str(exc) else "it ends in a lone backslash"
        )
        error = _bad(setting, text, source, f"{fault}; a list is split into words as a shell does")
        error.hint = (
            "close the quote, or escape a quote or backslash meant literally with a backslash"
            " (\\', \\\\)"
        )
        raise error from None
    if setting.items and (joined := next((word for word in words if "," in word), None)):
        raise _bad(
            setting,
            joined,
            source,
            f"{setting.items} hold no comma: separate the {setting.items} with spaces, not commas",
        )
    return words


def _check(setting: Setting, value: object, source: str) -> object:
    """`value`, already typed (from TOML or the program), if it fits `setting`; lists are copied.

    The type must match exactly: TOML's ``true`` is not an integer, though Python's bool is one.
    """
    if setting.type is list:
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            for item in value if setting.items else ():
                _check_item(setting, item, source)
            return list(value)
        raise _bad(setting, value, source, "expected a list of strings")
    if setting.choices and isinstance(value, bool) and _show(value) in setting.choices:
        value = _show(value)  # sandbox = true, as nix.conf has it: the choice "true"
    if type(value) is not setting.type:
        expected = _TYPE_NAMES[setting.type]
        raise _bad(setting, value, source, f"expected {expected}, got {type(value).__name__}")
    if isinstance(value, int) and not isinstance(value, bool) and value < setting.minimum:
        raise _bad(setting, value, source, f"must be at least {setting.minimum}")
    if isinstance(value, int) and setting.maximum and value > setting.maximum:
        error = _bad(setting, value, source, f"must be at most {setting.maximum}")
        error.hint = "0 is no limit"
        raise error
    if setting.choices and value not in setting.choices:
        raise _not_a_choice(setting, str(value), source)
    if setting.folder and value:
        return _folder(setting, str(value), source)
    return value


def _folder(setting: Setting, value: str, source: str) -> str:
    """A folder setting's `value` with ``~`` expanded, as link_cache's is, if it is absolute.

    A relative one is refused, as Nix refuses a relative path setting: read against the
    working folder, the config file's build folder would move with each command's. So is one
    that is, or is under, a file: making the folder failed the build as 'a bug in pybuild?'.
    A folder not made yet is fine (it is made when a build needs it)."""
    expanded = os.path.expanduser(value)
    if not os.path.isabs(expanded):
        error = _bad(setting, value, source, "a relative folder, which the working folder decides")
        error.hint = "give an absolute path (/…), or one in your home folder (~/…)"
        raise error
    existing = os.path.normpath(expanded)
    while not os.path.lexists(existing):  # the nearest part that exists: "/" at worst
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise _bad(setting, value, source, f"{existing} is not a folder")
    return expanded


def _check_item(setting: Setting, item: str, source: str) -> None:
    """Refuse an item of a list of `setting.items` (from the file or the program) that holds
    a comma or whitespace: two items run together, as the environment's words are written.
    Told here, with the setting and the file, not later as one malformed item."""
    if "," in item:
        fault = f"{setting.items} hold no comma"
    elif any(c.isspace() for c in item.strip()):
        fault = f"it holds whitespace, so more than one of the {setting.items}"
    else:
        return
    names = [w.partition(":")[0] for w in item.replace(",", " ").split() if ":" in w]
    shown = ", ".join(f'"{name}:…"' for name in names) if len(names) > 1 else '"…", "…"'
    reason = f"{fault}: give each of the {setting.items} as a list item of its own ([{shown}])"
    raise _bad(setting, item, source, reason)


def _not_a_choice(setting: Setting, value: str, source: str) -> SettingsError:
    """The error for a value outside `setting`'s choices, suggesting the closest (``relax``)."""
    import difflib  # only an error pays for it

    reason = "expected one of " + ", ".join(setting.choices)
    if close := difflib.get_close_matches(value.strip().lower(), setting.choices, n=1):
        reason += f"; did you mean {close[0]!r}?"
    return _bad(setting, value, source, reason)


def _bad(setting: Setting, value: object, source: str, reason: str) -> SettingsError:
    return SettingsError(
        f"invalid value {value!r} for setting {setting.name!r} from {source}: {reason}"
    )


def _read_config(path: Path, explicit: bool) -> dict[str, Any]:
    """The config file's top-level table; empty if the usual file is absent.

    A file named by ``PYBUILD_CONFIG`` must exist: the user asked for it, so a typo in the path
    should not quietly mean "no settings".
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not explicit:
            return {}
        error = SettingsError(f"config file {path} does not exist")
        error.hint = "PYBUILD_CONFIG names it; create the file or unset the variable"
        raise error from None
    except OSError as exc:
        raise SettingsError(f"cannot read config file {path}: {exc.strerror}") from exc
    import tomllib  # imported only when there is a file to parse

    try:
        return tomllib.loads(data.decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from exc


def _show(value: object) -> str:
    """`value` as the environment and --option would spell it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        import shlex  # only a list value needs it

        # Quoted as the environment and --option split it, so a word with a space
        # (["-o", "ProxyCommand=nc %h %p"]) pastes back as one word, not three.
        return shlex.join(value)
    return str(value)
