"""How to realise: the settings a build runs under, as one value the library passes around.

The settings become a :class:`BuildOptions` once, by :meth:`BuildOptions.from_settings`: the
command line's (which adds its flags), and :func:`~pybuild.realiser.realise`'s when its caller
gives no options. Everything below reads this value, never the command line or the settings
file again.
"""

from __future__ import annotations

import functools

from .records import field_names, record

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any, Self, TextIO

    from .progress import Progress
    from .settings import Settings

__all__ = ["BuildOptions", "trusted_keys"]


@record(frozen=True)
class BuildOptions:
    """How to realise: the `jobs`, `cores`, `keep_failed`, `build_dir`, `log_lines` and
    `build_timeout` settings.

    `log` is the stream the progress lines (the plan, each build as it starts and ends) are
    written to; None, the default, is standard error, as the command line writes them. To
    keep them, give ``io.StringIO()``; to drop them, ``open(os.devnull, "w")``; to have only
    warnings and errors, as ``-q`` does, ``progress=pybuild.progress.Lines(quiet=True)``
    (`progress`, when given, reports instead of the lines on `log`).

    A value, as any dataclass: ``BuildOptions()`` is the declared defaults (those of
    :data:`pybuild.settings.SETTINGS`), whatever the config file or the ``PYBUILD_*``
    variables say, so that a caller who spells out its options gets those. The user's settings
    are :meth:`from_settings`'s, which is what :func:`~pybuild.realiser.realise` uses when
    given no options, as ``pybuild build`` does. Only `sandbox` and `build_users`, which
    decide what a build may touch, are read from the settings while left at None: options
    made without them do not build less isolated than the user asked.
    """

    jobs: int = 1
    cores: int = 0  # cores one build may use; 0: this machine's, shared by the builds at once
    keep_going: bool = False
    keep_failed: bool = False
    build_dir: str = ""  # where each build gets a folder of its own; "": the temporary folder
    log_lines: int = 25
    build_timeout: int = 0
    log: TextIO | None = None  # progress lines; None means standard error
    # Binary caches asked before building (pybuild.cache.substitute), and how far to trust them.
    substituters: tuple[str, ...] = ()
    trusted_public_keys: tuple[str, ...] = ()
    require_sigs: bool = True
    connect_timeout: int = 5
    stalled_download_timeout: int = 60
    download_min_speed: int = 1024
    download_deadline: int = 3600
    # Substituted paths kept unpacked and hard-linked (pybuild.cache.links): a folder, "auto"
    # (the user's cache folder, where it can be used) or "" (none).
    link_cache: str = "auto"
    auto_optimise: bool = False  # hard-link each new output's files (pybuild.store.optimise)
    sandbox: str | None = None  # true | false | relaxed (pybuild.sandbox); None: the setting
    build_users: bool | None = None  # as root, outside the sandbox too; None: the setting
    progress: Progress | None = None  # how builds are reported; None: plain lines on `log`
    # Remote builders (pybuild.remote): machine lines or @FILE, and how to reach them.
    builders: str = ""
    ssh_options: tuple[str, ...] = ()
    remote_pybuild: str = "pybuild"

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Refuse a keyword no option has (``keep_goin=True``) with the close name, where the
        generated ``__init__``'s TypeError suggested none."""
        _refuse_unknown("BuildOptions", kwargs, cls)
        return super().__new__(cls)

    def __post_init__(self) -> None:
        """Check each option's value as its setting's is checked, here, where the caller
        wrote it: ``jobs=None`` was later told as ``jobs is 0``, a value never given, and
        ``jobs=-1`` or ``jobs="2"`` were taken without a word. A list is made a tuple."""
        _check_log(self.log)
        for name in _CHECKED:
            value = getattr(self, name)
            if value is None and name in _UNSET_MEANS_THE_SETTING:
                continue
            checked = _checked(name, value)
            if checked is not value:
                object.__setattr__(self, name, checked)  # frozen: set as __init__ sets it

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **changes: Any) -> Self:
        """The options the settings give (:func:`~pybuild.settings.load_settings`'s when
        `settings` is None: the config file, ``PYBUILD_*``, the command line's ``--option``),
        with `changes`, options the settings do not hold (`keep_going`, `log`, `progress`) or
        any replaced. A trusted key that is not ``NAME:base64`` is refused here, with the
        file or variable it came from (:func:`trusted_keys`)."""
        _refuse_unknown("BuildOptions.from_settings", changes, cls)
        if settings is None:
            from .settings import load_settings

            settings = load_settings()
        taken = {
            name: settings.get(name)
            for name in _FROM_SETTINGS
            if name not in changes  # a replaced key is not checked
        }
        if "trusted_public_keys" in taken:
            taken["trusted_public_keys"] = trusted_keys(settings)
        for name in _LISTS & taken.keys():
            taken[name] = tuple(taken[name])
        return cls(**taken, **changes)

    def __getstate__(self) -> dict[str, Any]:
        """The options without the reporter made from them: it holds a lock, so options that
        had built were no longer pickled or deep-copied; a copy makes its own."""
        return {k: v for k, v in self.__dict__.items() if k != "reporter"}

    @functools.cached_property
    def reporter(self) -> Progress:
        """Where the realiser reports its plan and builds (see :mod:`pybuild.progress`)."""
        from .progress import Lines

        return self.progress or Lines(self.log)

    def build_cores(self, at_once: int) -> int:
        """The cores one build may use (``PYBUILD_BUILD_CORES``, Nix's ``NIX_BUILD_CORES``)
        while `at_once` builds run together: the `cores` setting, or else an equal share of
        the cores this process may run on, so that parallel builds that each start a worker
        a core (the Python builder's bytecode) do not ask for more cores than there are."""
        if self.cores > 0:
            return self.cores
        from .python.builder.bytecode import usable_cores  # the count the builder uses

        return max(1, usable_cores() // max(1, at_once))

    def sandbox_mode(self) -> str:
        """The `sandbox` setting in effect: the option's, else the settings' (config file,
        ``PYBUILD_SANDBOX``), for a library caller that gives none."""
        if self.sandbox:
            return self.sandbox
        from .settings import load_settings

        return str(load_settings().sandbox)

    def build_users_outside(self) -> bool:
        """The `build_users` setting in effect (whether, as root, a build outside the sandbox
        runs as a build user): the option's, else the settings', as :meth:`sandbox_mode`."""
        if self.build_users is not None:
            return self.build_users
        from .settings import load_settings

        return bool(load_settings().build_users)

    def say(self, text: str) -> None:
        """A message line (a warning, a cache's answer), through the reporter."""
        self.reporter.message(text)


# The options that are settings of the same name (pybuild.settings.SETTINGS); a list
# setting is a tuple here, as an option is immutable.
_FROM_SETTINGS = (
    "jobs",
    "cores",
    "keep_failed",
    "build_dir",
    "log_lines",
    "build_timeout",
    "substituters",
    "trusted_public_keys",
    "require_sigs",
    "connect_timeout",
    "stalled_download_timeout",
    "download_min_speed",
    "download_deadline",
    "link_cache",
    "auto_optimise",
    "sandbox",
    "build_users",
    "builders",
    "ssh_options",
    "remote_pybuild",
)
_LISTS = frozenset({"substituters", "trusted_public_keys", "ssh_options"})
# The options whose values are checked as settings are: the settings' and keep_going (`log`,
# a stream of the caller's, by _check_log; `progress`, the caller's object, not at all). None,
# for the two below, leaves the choice to the settings.
_CHECKED = (*_FROM_SETTINGS, "keep_going")
_UNSET_MEANS_THE_SETTING = frozenset({"sandbox", "build_users"})


def _refuse_unknown(function: str, given: dict[str, Any], cls: type) -> None:
    """Refuse the keywords of `given` that are no option of `cls`, naming the close ones. A
    dataclass subclassing BuildOptions has fields of its own, which dataclasses tells."""
    if cls is BuildOptions:
        known = field_names(BuildOptions)
    else:
        import dataclasses

        known = tuple(f.name for f in dataclasses.fields(cls))
    if unknown := [name for name in given if name not in known]:
        from .errors import unexpected_arguments

        raise unexpected_arguments(function, unknown, known, {})


def _check_log(log: object) -> None:
    """Refuse a `log` the progress lines cannot be written to (a file's name, a binary
    file, a file opened for reading or closed): it was taken, and the first build's line
    failed with ``AttributeError: 'str' object has no attribute 'write'`` or
    ``io.UnsupportedOperation: not writable``, far from the options."""
    import io

    if log is None:
        return
    writes = all(callable(getattr(log, method, None)) for method in ("write", "flush"))
    shut = _shut(log) if writes else ""
    if writes and not shut and not isinstance(log, io.RawIOBase | io.BufferedIOBase):
        return
    from .errors import wrong_type

    takes = 'a text stream (io.StringIO(), open(path, "w")) or None for standard error'
    raise wrong_type("BuildOptions()", "log", log, takes, shut)


def _shut(stream: object) -> str:
    """What `stream` is if it has write() but cannot be written now: closed, or not
    writable (opened for reading); "" if it is open and writable, or says neither (a
    caller's own writer is taken at its word)."""
    if getattr(stream, "closed", False) is True:
        return "a closed stream"
    writable = getattr(stream, "writable", None)
    if callable(writable) and not writable():
        return "a stream that cannot be written (opened for reading?)"
    return ""


def _checked(name: str, value: object) -> object:
    """`value` of option `name` if it is what the setting of that name takes (a list as a
    tuple); the error that says what it takes otherwise."""
    from .errors import did_you_mean, wrong_type
    from .settings import SETTINGS

    setting = SETTINGS.get(name)
    kind, minimum = (setting.type, setting.minimum) if setting else (bool, 0)
    maximum = setting.maximum if setting else 0
    choices = setting.choices if setting else ()
    if kind is list and isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    if kind is not list and type(value) is kind:  # a bool is no int here, as in the settings
        if kind is int:
            fits = minimum <= value <= (maximum or value)  # type: ignore[operator]
        else:
            fits = not choices or value in choices
        if fits:
            return value
    takes = _one_of(choices) if choices else _TAKES[kind].format(minimum=minimum)
    if maximum:
        takes = f"an integer from {minimum} to {maximum}"
    if name in _UNSET_MEANS_THE_SETTING:
        takes += " (or None for the setting's)"
    error = wrong_type("BuildOptions()", name, value, takes)
    if choices and isinstance(value, str):  # sandbox="relax"
        error.args = (error.args[0] + did_you_mean(value, choices),)
    raise error


_TAKES = {
    int: "an integer, {minimum} or more",
    bool: "a boolean, True or False",
    str: "a string",
    list: "a list of strings",
}


def _one_of(choices: tuple[str, ...]) -> str:
    """``'true', 'false' or 'relaxed'``."""
    shown = [repr(choice) for choice in choices]
    return ", ".join(shown[:-1]) + f" or {shown[-1]}"


def trusted_keys(settings: Settings) -> tuple[str, ...]:
    """The ``trusted_public_keys`` setting, each key checked here, where its source is known:
    a malformed key found later, by the caches, would be named without the file or variable
    that holds it, and a user with several config layers could not tell which to mend."""
    keys = tuple(settings.trusted_public_keys)
    if keys:
        from .cache import InvalidKey, PublicKey

        for key in keys:
            try:
                PublicKey.parse(key)
            except InvalidKey as exc:
                error = InvalidKey(
                    f"{exc}, in trusted_public_keys from {settings.source('trusted_public_keys')}"
                )
                error.hint = "a trusted key is NAME:base64, as `pybuild key generate` prints it"
                raise error from None
    return keys
