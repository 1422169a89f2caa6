"""One build step: run a derivation's builder in a fresh folder and hand back its outputs.

The realiser decides *what* to build and in which order; this module does one build, as
Nix's local derivation goal does: the inputs must be valid, the ``.drv`` is written, the
builder runs in a new folder of the temporary folder (``TMPDIR``, or the ``build_dir``
setting: Nix's ``build-dir``) with a cleared environment (in the sandbox when there is one;
as a build user when pybuild is root, in the sandbox or not) and writes its outputs into a
new folder beside the store (so that committing them is a rename) whose path is as long as
the store's, which is then rewritten to the store's wherever the builder wrote it
(:mod:`pybuild.store.rewrite`): ``$out`` is the output's final path, as in Nix. Every output
it was meant to make is checked (a download against its declared hash) before the caller
commits them. The build folder is where most files are made and soon removed (the
unpacked sources, the back-end's copies, the wheel): on a tmpfs, as ``/tmp`` is on many
systems, that costs no disk. Nothing of a failed build is left behind unless ``keep_failed``
asks for it (then what a build user made there is given back to the store's owner). A
builtin builder (:mod:`pybuild.builtin`) runs in this process instead, without a sandbox.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from .buildoptions import BuildOptions
from .builtin import BuiltinFailure, is_builtin
from .builtin import run as run_builtin
from .derivations import STORE_TOKEN, Derivation, input_paths, instantiate
from .errors import BuildError, CannotRunBuilder, HashMismatch, PathNotValid
from .hashing import hash_file, hash_path
from .store import Store

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import IO

    from .buildusers import Outside
    from .sandbox import Cell

__all__ = ["SOURCE_DATE_EPOCH", "fresh_outputs"]

SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip (wheel) can hold
_CLOSED_PROXY = "http://127.0.0.1:9"  # the discard port: an accidental download fails loudly
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
_HOMELESS = "/homeless-shelter"
_SANDBOX_HINT = (
    "the build ran in the sandbox: it sees only its declared inputs and has no network;"
    " declare what it needs (a download must be a fixed-output derivation), or set sandbox"
    " = false"
)
# Its diagnoses of a missing input (phases.py: _check_requirements, the runtime deps and
# scripts checks): named packages that no sandbox setting would bring. (Patterns, compiled
# by re's cache on a failure only: a build that works never pays for them.)
_MISSING_INPUT = (
    r"pybuild: phase [\w ]+ failed: .*(not satisfied by build_system: missing"
    r"|Give the recipe dependencies|Add the dependency that provides it)"
)
_NETWORK = (
    r"(?i)name resolution|Name or service not known|No address associated with hostname"
    r"|Could not resolve|getaddrinfo|Network is unreachable|No route to host|Connection refused"
    r"|establish a new connection|ProxyError|Cannot connect to proxy"
)
_READ_ONLY = r"Read-only file system|Permission denied|Operation not permitted"
# Folders the sandbox does not show (it shows /usr, /bin, /lib*, /opt, /tmp and its own /etc)
_HIDDEN = ("/home", "/root", "/var", "/srv", "/mnt", "/media", "/run", "/etc", _HOMELESS)


class KeepRebuild(Exception):
    """Raised through :func:`fresh_outputs` by a caller that keeps what was built though the
    build did not fail (a checked rebuild that differs): its directories are kept, as a failed
    build's are, said as such, and `kept` set to its outputs' kept folder."""

    def __init__(self) -> None:
        super().__init__("the rebuild is kept")
        self.kept: Path | None = None


@contextlib.contextmanager
def fresh_outputs(
    drv: Derivation, store: Store, options: BuildOptions, cores: int | None = None
) -> Iterator[dict[str, Path]]:
    """Run the builder in a new directory and yield its checked outputs; then clean up.

    The builder is told it may use `cores` cores (``PYBUILD_BUILD_CORES``; by default what
    one build running alone may use); not part of the derivation, as the outputs must not
    depend on it.
    """
    for path in input_paths(drv):
        if not store.is_valid(path):
            raise PathNotValid(str(store.path(path)))
    instantiate(drv, store)
    work, record = store.new_outputs_dir(drv.name)
    build_dir: Path | None = None
    # What the directories are kept as, if they are: a failure's, until the build succeeds.
    keep_as = "the failed build's directories" if options.keep_failed else None
    rebuild: KeepRebuild | None = None
    try:
        # As root the build user is held until the caller has stored the outputs (and given
        # them back to the store's owner): no other build may run as it meanwhile.
        with (
            _sandbox(drv, store, options) as box,
            _build_user_outside(drv, store, options, box) as outside,
        ):
            try:
                built = {name: work / name for name in drv.output_paths.values()}
                log_path = store.log_dir / f"{drv.drv_name}.log"
                if is_builtin(drv.builder):
                    _run_builtin(drv, store, work, log_path, options)
                else:
                    build_dir = store.new_build_dir(record, drv.name, options.build_dir or None)
                    cores = options.build_cores(1) if cores is None else cores
                    runs = box or outside
                    _run_builder(drv, store, work, build_dir, log_path, options, runs, cores)
                    _rewrite_outputs(drv, store, work, built)
                _check_outputs(drv, built, log_path)
                yield built
            except BaseException as exc:
                if isinstance(exc, KeepRebuild):
                    rebuild, keep_as = exc, "the directories of the rebuild that differs"
                if keep_as and (box or outside):  # before the uid is let go
                    _give_back([p for p in (build_dir, work) if p is not None])
                raise
        keep_as = None
    finally:
        if keep_as:
            kept = _kept(store, work, record)
            options.say(f"keeping {keep_as} {' and '.join(str(p) for p in (build_dir, kept) if p)}")
            if rebuild is not None:
                rebuild.kept = kept
        else:
            if build_dir is not None:
                store.remove_build_dir(record, build_dir)
            store.remove_outputs_dir(work, record)


def _sandbox(
    drv: Derivation, store: Store, options: BuildOptions
) -> contextlib.AbstractContextManager[Cell | None]:
    """The sandbox of one build under the `sandbox` setting, or none (a builtin needs none)."""
    if is_builtin(drv.builder):
        return contextlib.nullcontext()
    from .sandbox import sandbox_for

    sandbox = sandbox_for(options.sandbox_mode(), options.say)
    return sandbox.enter(store.var) if sandbox is not None else contextlib.nullcontext()


def _build_user_outside(
    drv: Derivation, store: Store, options: BuildOptions, box: Cell | None
) -> contextlib.AbstractContextManager[Outside | None]:
    """The build user a build outside the sandbox runs as, if pybuild is root (and the
    `build_users` setting is on): a builder must never run as root, sandboxed or not."""
    if box is not None or is_builtin(drv.builder) or os.geteuid() != 0:
        return contextlib.nullcontext()
    from .buildusers import outside_the_sandbox

    return outside_the_sandbox(store.var, options.build_users_outside())


def _kept(store: Store, work: Path, record: Path) -> Path:
    """Mark a failed build's folders as kept, so that no ``gc`` removes them: its outputs
    folder moved into ``var/tmp`` as kept, named after its record, and the records, by which
    gc finds the folders, removed (the outputs folder's last: a crash before leaves a record
    of nothing). The kept folder's new path."""
    from .store.core import BUILD_DIR_RECORD
    from .store.gc import KEPT_PREFIX

    with contextlib.suppress(FileNotFoundError):
        os.unlink(store.tmp_dir / f"{BUILD_DIR_RECORD}{record.name}")
    kept = store.tmp_dir / f"{KEPT_PREFIX}{record.name}"
    os.rename(work, kept)
    os.unlink(record)
    return kept


def _rewrite_outputs(drv: Derivation, store: Store, work: Path, built: dict[str, Path]) -> None:
    """Write the outputs' final paths where the builder wrote ``$out`` (its folder `work`);
    not in a download, whose content its hash fixes. (A builtin builder never writes it.)"""
    if drv.is_fixed_output:
        return
    from .store.rewrite import rewrite_outputs

    rewrite_outputs(built.values(), work, store.dir)


def _give_back(paths: list[Path]) -> None:
    from .buildusers import give_back

    give_back(paths)


def _not_executable(name: str, builder: str) -> CannotRunBuilder:
    """The error for a builder that cannot be run; a link whose target is not there is told
    as one (``Path("/bin/sh")`` is stored as the link itself, to ``dash``, as Nix stores it),
    with the way out: a program given as a string is used where it is."""
    if os.path.islink(builder) and not os.path.exists(builder):
        target = os.readlink(builder)
        error = CannotRunBuilder(
            name, builder, f"it is a symbolic link to {target}, which is not there"
        )
        error.hint = (
            "a Path is stored as it is, a link as a link (as Nix stores one): give a system"
            ' program as a string (builder="/bin/sh"), or a Path of the file itself'
        )
        return error
    return CannotRunBuilder(name, builder, "it is not an executable file")


def _run_builder(
    drv: Derivation,
    store: Store,
    work: Path,
    build_dir: Path,
    log_path: Path,
    options: BuildOptions,
    box: Cell | Outside | None,
    cores: int,
) -> None:
    """Run the builder: in the sandbox's `box` (a :class:`~pybuild.sandbox.Cell`), outside
    it as a build user (:class:`~pybuild.buildusers.Outside`), or as this process's user."""
    import signal  # as processes does: only a real build needs them

    from . import processes
    from .sandbox import Cell

    env = _builder_env(drv, store, work, build_dir)
    env["PYBUILD_BUILD_CORES"] = str(cores)  # like Nix's NIX_BUILD_CORES
    argv = [_expand(drv.builder, store), *(_expand(a, store) for a in drv.args)]
    if not os.access(argv[0], os.X_OK):
        raise _not_executable(drv.name, argv[0])
    if drv.is_fixed_output:  # a download: the in-build downloader keeps the same limits
        env.update(_download_limits(options))
    sandboxed = isinstance(box, Cell)
    if isinstance(box, Cell):
        inputs = [store.path(p) for p in store.closure(input_paths(drv))]
        argv = box.wrap(
            argv,
            build_dir=build_dir,
            work=work,
            inputs=inputs,
            network=drv.is_fixed_output,
            env=env,
        )
    else:
        _refuse_a_home(drv)
        if box is not None:
            wrap = box.wrap
            argv = wrap(drv.name, argv, build_dir=build_dir, work=work, store=store.dir, env=env)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log, _no_empty_log(log, log_path):
        try:
            builder = processes.start(
                argv,
                cwd=build_dir,
                env=env if box is None else {},  # the wrapper sets it, as the build user
                log=log,
                tag=f"PYBUILD_BUILD_TOP={build_dir}",
                dies_with_us=sandboxed,  # bwrap --die-with-parent
            )
        except OSError as exc:
            raise CannotRunBuilder(drv.name, argv[0], str(exc.strerror)) from None
        with builder:  # leaving it kills what the builder left behind, even on success
            finished = builder.wait(options.build_timeout or None)
        if box is not None and not isinstance(box, Cell):
            box.end()  # and what escaped that, as the build user: before its outputs are read
    foreign = ""
    if box is not None and os.geteuid() == 0:  # none but the store's owner may change them now
        from .buildusers import take_back

        foreign = take_back(work, box.user.uid)
    if not finished:
        reason = f"timed out after {options.build_timeout} s (build_timeout)"
        raise BuildError(drv.name, reason, str(log_path), _tail(log_path, options))
    code = builder.returncode
    if sandboxed and code > 128 and code - 128 in signal.valid_signals():
        code = 128 - code  # bwrap reports a child killed by signal N as status 128 + N
    if code != 0:
        reason = (
            f"builder killed by {signal.Signals(-code).name}"
            if code < 0
            else f"builder exited with status {code}"
        )
        text = _log_text(log_path)  # read once: for the error's tail and the sandbox's hint
        reason = _diagnosis(text, reason)
        full = _full_disk(store.dir, log_path.parent)  # now, while the failed outputs fill it
        if full:
            reason += f"; the disk of {full} is full, so its log may lack the builder's last words"
        error = BuildError(drv.name, reason, str(log_path), _tail_of(text, options))
        if full:
            error.hint = DISK_FULL_HINT
        elif sandboxed and not drv.is_fixed_output and _sandbox_may_be_the_cause(text, store):
            error.hint = _SANDBOX_HINT
        else:  # what its recipe says to do (a generated one: take the wheel instead)
            error.hint = str(drv.meta.get("failure_hint", ""))
        raise error
    if foreign:
        raise BuildError(drv.name, foreign, str(log_path))


DISK_FULL_HINT = "the disk the build wrote to is full: free space (`pybuild gc`), then build again"
# Bytes free under which a filesystem counts as full for a failed build: a builder stopped
# by a full disk leaves less than a block or two (none, past root's reserve, to a build user).
_ROOM = 1 << 16


def _full_disk(*paths: Path) -> str:
    """The first of `paths` (the store, where outputs are made beside it, and the logs)
    whose filesystem has no room left, "" if none: a build that filled it could write neither
    its outputs nor, to its log, why it failed (``head: No space left on device``), so its
    log says nothing of the cause."""
    for path in paths:
        try:
            stats = os.statvfs(path)
        except OSError:
            continue
        if stats.f_bavail * stats.f_frsize < _ROOM:
            return str(path)
    return ""


def _diagnosis(log: str, status: str) -> str:
    """Why the build failed, for the error's first line: the Python builder's own diagnosis
    when it ends the log (``pybuild: phase install failed: the source builds six 1.17.0, but
    …``), with the phase and `status`; else `status` alone. The diagnosis was only the last
    line of a tail that a backend's warnings may fill, under "builder exited with status 1"."""
    last = next((line for line in reversed(_last_lines(log)) if line.strip()), "")
    found = re.fullmatch(r"pybuild: phase ([\w ]+) failed: (.+)", last.strip())
    if found is None or "above" in found[2]:  # one that points at the output: not on its own
        return status
    return f"{found[2]} (phase {found[1]}; {status})"


@contextlib.contextmanager
def _no_empty_log(log: IO[bytes], log_path: Path) -> Iterator[None]:
    """Remove the log of a build stopped before its builder wrote anything (interrupted as
    it started, or its program not run): ``pybuild log`` would print it as a build that ran
    and said nothing, where without it says the derivation was not built here."""
    try:
        yield
    except BaseException:
        if os.fstat(log.fileno()).st_size == 0:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(log_path)
        raise


def _sandbox_may_be_the_cause(log: str, store: Store) -> bool:
    """Whether a sandboxed build's failure looks like the sandbox's doing, from its log's end.

    Only when the log shows it: a connection or a name lookup that failed, or a file the
    sandbox hides or keeps read-only (a path outside the store and the system's folders, an
    undeclared store path). A failure that shows none of it (``exit 3``, a compiler's error)
    is not hinted at: telling the user to turn the sandbox off would send them the wrong way,
    and so would it when the log ends with the Python builder's own diagnosis of a missing
    input (a package absent from build_system or the dependencies), missing with or without
    the sandbox, whatever the log shows before it."""
    lines = _last_lines(log)
    last = next((line for line in reversed(lines) if line.strip()), "")
    if re.search(_MISSING_INPUT, last):
        return False
    hidden = (*_HIDDEN, str(store.dir))
    return any(re.search(_NETWORK, line) or _denied(line, hidden) for line in lines)


def _denied(line: str, hidden: tuple[str, ...]) -> bool:
    """A file refused by the sandbox: read-only or not permitted, or absent under a hidden
    folder."""
    if re.search(_READ_ONLY, line):
        return True
    return "No such file or directory" in line and any(f"{h}/" in line for h in hidden)


def _last_lines(log: str, size: int = 16384) -> list[str]:
    """The lines of the log's last `size` characters (their first, cut line dropped)."""
    lines = log[-size:].splitlines()
    return lines[1:] if len(log) > size else lines


def _run_builtin(
    drv: Derivation, store: Store, work: Path, log_path: Path, options: BuildOptions
) -> None:
    """Build in this process (:mod:`pybuild.builtin`), with the derivation's environment.

    Each output's variable names the folder to write (`work`'s), which no rewrite follows
    (:func:`_rewrite_outputs`): a builtin writes no path of its own into a file. It is given
    the paths of the derivation's inputs, the only ones it may read."""
    env = {k: _expand(v, store) for k, v in drv.env}
    env.update({o: str(work / p) for o, p in drv.output_paths.items()})
    inputs = {str(store.path(p)) for p in input_paths(drv)}  # all it may read
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        try:
            run_builtin(drv.builder, env, log, inputs, list(drv.output_paths))
            return
        except BuiltinFailure as exc:
            log.write(f"pybuild: {exc}\n")
    reason = f"{drv.builder} failed"
    raise BuildError(drv.name, reason, str(log_path), _tail(log_path, options))


def _refuse_a_home(drv: Derivation) -> None:
    """Without the sandbox, builders share the host's file system: a ``HOME`` that exists
    (some earlier build wrote there) would let builds depend on each other. Nix refuses to
    build then, and so do we."""
    if os.path.lexists(_HOMELESS):
        error = BuildError(drv.name, f"{_HOMELESS} exists, so builds could share files through it")
        error.hint = (
            f"a build outside the sandbox wrote to its HOME; remove {_HOMELESS} (as root), and"
            " give that package a place of its own for caches (the Python builder does)"
        )
        raise error


def _builder_env(drv: Derivation, store: Store, work: Path, build_dir: Path) -> dict[str, str]:
    """A cleared environment: only what the derivation says, plus a few fixed variables."""
    bins = [f"{store.dir}{os.sep}{p}{os.sep}bin" for p in input_paths(drv)]
    path = [b for b in bins if _is_dir(b)]
    env = {k: _expand(v, store) for k, v in drv.env}
    env.update({o: str(work / p) for o, p in drv.output_paths.items()})
    env.update(
        PATH=os.pathsep.join([*path, _SYSTEM_PATH]),
        HOME=_HOMELESS,
        TMPDIR=str(build_dir),
        TMP=str(build_dir),
        TEMP=str(build_dir),
        PYBUILD_BUILD_TOP=str(build_dir),
        SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",  # nothing may write into inputs (root ignores read-only)
        PYTHONHASHSEED="0",
        LANG="C.UTF-8",
        TZ="UTC",
    )
    if not drv.is_fixed_output:
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
            env[var] = _CLOSED_PROXY
        # OpenSSL's default folder of trusted certificates: the build's own, which holds
        # none (OpenSSL looks only for files named by a certificate's hash). A package that
        # hands the default locations to its own TLS library when imported (pygit2, for
        # libgit2) fails its imports check where there are none, as in the sandbox, and
        # trusted the host's outside it; now it trusts nothing in either.
        env["SSL_CERT_DIR"] = str(build_dir)
    else:
        for var in (
            "http_proxy",
            "https_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "no_proxy",
            "NO_PROXY",
            "SSL_CERT_FILE",
            "REQUESTS_CA_BUNDLE",
        ):
            if var in os.environ:
                env[var] = os.environ[var]
    return env


def _is_dir(path: str) -> bool:
    """Whether `path`, in a valid store path, is a folder: asked once a process, since a
    valid store path never changes (a chain of small builds spent 3% of its time asking)."""
    known = _IS_DIR.get(path)
    if known is None:
        known = _IS_DIR[path] = os.path.isdir(path)
    return known


_IS_DIR: dict[str, bool] = {}


def _download_limits(options: BuildOptions) -> dict[str, str]:
    """The download settings, for the in-build downloader (pybuild/builders/fetch.py).

    They go in the environment at build time, under the names the settings have there, and
    not in the derivation: the hash of a download must not depend on how patient one is.
    """
    return {
        "PYBUILD_STALLED_DOWNLOAD_TIMEOUT": str(options.stalled_download_timeout),
        "PYBUILD_DOWNLOAD_MIN_SPEED": str(options.download_min_speed),
        "PYBUILD_DOWNLOAD_DEADLINE": str(options.download_deadline),
    }


def _check_outputs(drv: Derivation, built: dict[str, Path], log_path: Path) -> None:
    for output, path in zip(drv.outputs, built.values(), strict=True):
        if not os.path.lexists(path):
            reason = f"builder did not create its output {output!r} (${output})"
            raise BuildError(drv.name, reason, str(log_path))
    if drv.output_hash is None:
        return
    (out,) = built.values()
    if drv.output_hash_mode == "flat":
        if not out.is_file() or out.is_symlink():
            raise BuildError(drv.name, "a flat fixed-output must be a single regular file")
        actual = hash_file(out)
    else:
        actual, _ = hash_path(out)
    if actual.sri != drv.output_hash:
        what = f"fixed-output derivation {drv.name}"
        if given := drv.meta.get("position"):
            what += f" (hash given at {given})"
        argument = drv.meta.get("hash_argument", "output_hash")  # the fetches name theirs
        raise HashMismatch(what, drv.output_hash, actual.sri, argument)


def _expand(text: str, store: Store) -> str:
    return text.replace(STORE_TOKEN, str(store.dir))


def _tail(log_path: Path, options: BuildOptions) -> str:
    return _tail_of(_log_text(log_path), options)


def _tail_of(log: str, options: BuildOptions) -> str:
    """The log's last ``log_lines`` lines, for the error (none when the setting is 0)."""
    lines = log.splitlines()
    return "\n".join(lines[-options.log_lines :]) if options.log_lines > 0 else ""


def _log_text(log_path: Path) -> str:
    """A failed build's log ("" if it cannot be read: the error says so without it)."""
    try:
        return log_path.read_text(errors="replace")
    except OSError:
        return ""
