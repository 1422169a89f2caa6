"""``pybuild prefetch``: find a release file on the index, store it, print its hash."""

from __future__ import annotations

import argparse

from ..errors import BadArgument, UnsupportedInterpreter, UsageError
from .common import build_options, get_settings, open_store, print_json

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def register(commands: Any) -> None:
    p = commands.add(
        "prefetch", _prefetch, "find a release file on the index, store it, print its hash"
    )
    p.add_argument("spec", metavar="NAME==VERSION", help="the release whose file to fetch")
    p.add_argument(
        "--kind",
        choices=("sdist", "wheel"),
        default="sdist",
        help="the sdist (default), or the best wheel for the interpreter",
    )
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.add_argument(
        "--python",
        metavar="PYTHON",
        default=argparse.SUPPRESS,
        help="with --kind wheel: the wheel for this interpreter (a version or a path)",
    )
    p.set_defaults(takes_python=True)


def _prefetch(args: argparse.Namespace) -> int:
    from ..fetchers import fetch_url, locate_pypi_file
    from ..index import NoMatchingFile
    from ..python.interpreter import Interpreter
    from ..python.locate import locate_python
    from ..realiser import realise

    name, sep, version = args.spec.partition("==")
    if not sep or not name or not version:
        raise BadArgument(f"{args.spec!r}: write NAME==VERSION")
    if args.python is not None and args.kind != "wheel":
        raise UsageError("--python chooses a wheel's interpreter: add --kind wheel")
    python = Interpreter.at(locate_python(args.python)) if args.python else Interpreter.current()
    wheel = args.kind == "wheel"
    tags = python.tags if wheel else None
    try:
        url, filename, sri = locate_pypi_file(
            name.strip(), version.strip(), args.kind, tags, python.version if wheel else None
        )
    except UnsupportedInterpreter as exc:  # its hint is about a set's recipe
        exc.hint = (
            "fetch the wheel for an interpreter it supports (--python X.Y), or another release"
        )
        raise
    except NoMatchingFile as exc:  # its hint, in this command's options
        if wheel:
            exc.hint = _no_wheel_hint(name.strip(), exc.files, python.tags, _every_file)
        raise
    store = open_store()
    fetched = fetch_url(url, sri, name=filename)
    realise([fetched], store, build_options(args, get_settings(args)))  # -q, the timeouts
    if args.json:
        print_json({"url": url, "hash": sri, "name": filename, "path": fetched.path(store=store)})
    else:
        print(f"hash: {sri}\nurl:  {url}\npath: {fetched.path(store=store)}")
    return 0


def _no_wheel_hint(
    project: str, files: list[str], tags: tuple[str, ...], every_file: Callable[[str], list[str]]
) -> str:
    """What can fetch a file of `project`'s release none of whose wheels (`files`, its file
    names) fits the interpreter whose `tags` they are, in this command's options: ``--python``
    only when a wheel is for this platform (another interpreter's), ``--kind sdist`` only when
    the release has an sdist, another release only when one has either (`every_file` gives the
    project's file names, asked only then). pywin32's Windows wheels name this very Python:
    hinting another one, another release, or an sdist it lacks, would send a user the wrong
    way."""
    from packaging.tags import Tag, parse_tag
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    here = {t.platform for text in tags for t in parse_tag(text)}
    wheel_tags: list[Tag] = []
    for name in files:
        try:
            wheel_tags += parse_wheel_filename(name)[3]
        except InvalidWheelFilename:
            continue
    has_sdist = any(not name.endswith(".whl") for name in files)
    if any(t.platform in here for t in wheel_tags):
        sdist = ", or its sdist (--kind sdist)" if has_sdist else ""
        return (
            f"fetch the wheel for an interpreter it has one for (--python X.Y), another"
            f" release{sdist}"
        )
    platforms = ", ".join(sorted({t.platform for t in wheel_tags}))
    elsewhere = f"its wheels are for other platforms only ({platforms})" if platforms else ""
    if has_sdist:
        said = f"{elsewhere}: " if elsewhere else ""
        return f"{said}fetch its sdist (--kind sdist), or another release"
    no_sdist = f"{elsewhere}, and it has no sdist" if elsewhere else "it has no wheel or sdist"
    platform = tags[0].rsplit("-", 1)[-1]
    others = every_file(project)
    if others and not any(_fits_platform(name, here) for name in others):
        return (
            f"{no_sdist}, nor has another release either: no release of {project} can be"
            f" installed on this platform ({platform})"
        )
    return (
        f"{no_sdist}: fetch another release, one with a wheel for this platform"
        f" ({platform}) or an sdist; no other Python version would help"
    )


def _fits_platform(filename: str, platforms: set[str]) -> bool:
    """Whether a file could be installed on one of `platforms`: an sdist, or a wheel for one."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    if not filename.endswith(".whl"):
        return True
    try:
        return any(t.platform in platforms for t in parse_wheel_filename(filename)[3])
    except InvalidWheelFilename:
        return False


def _every_file(project: str) -> list[str]:
    """The names of every file of `project` on the index, or none if it cannot be read again
    (the hint then offers another release, as before it knew)."""
    from ..index import Index, PackageIndexError

    try:
        with Index() as index:
            return [f.filename for f in index.files(project)]
    except PackageIndexError:
        return []
