"""``pybuild build`` and ``pybuild eval``: realise attributes, or describe them unbuilt."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from ..errors import MissingArgument, PybuildError, UnsupportedInterpreter, UsageError
from ..records import replace
from ..results import BuildResult, Status
from .common import (
    NotAPackage,
    add_build_flags,
    add_dry_run,
    add_refresh_flag,
    as_derivation,
    attr_values,
    build_options,
    completes_attrs,
    evaluate_recorded,
    get_settings,
    keyed_command,
    located_python,
    open_store,
    package_set,
    print_json,
    print_work,
    recipe_folders,
    recorded_valid,
    refuse_set_options,
    set_arguments,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any

_VALID = BuildResult(Status.VALID)
_OK = frozenset(s for s in Status if s.ok)  # a Status is equal to its text, as a record has it


def register(commands: Any) -> None:
    p = commands.add("build", _build, "build derivations or packages and print their output paths")
    completes_attrs(
        p.add_argument(
            "attrs",
            nargs="*",
            metavar="ATTR",
            help="attribute of the set (or pypi:NAME, or of FILE)",
        )
    )
    p.add_argument("-f", "--file", help="Python file whose attributes are derivations or packages")
    p.add_argument("--all", action="store_true", help="every package of the set (a Hydra job)")
    set_arguments(p)
    p.add_argument(
        "-o", "--out-link", metavar="LINK", help="make LINK (a gc root) point to the result"
    )
    add_build_flags(p)
    add_refresh_flag(p)
    p.add_argument(
        "-k",
        "--keep-going",
        action="store_true",
        help="go on after a failed build (without it, the first failure stops the builds running,"
        " as Nix's does)",
    )
    p.add_argument(
        "--builders",
        metavar="MACHINES",
        help="remote builders, 'ssh://[user@]host[:port] [systems [ssh-key [jobs [speed"
        " [features [mandatory-features]]]]]]' joined by ';' (the URI may end in"
        " ?home=DIR&pybuild=CMD), or @FILE (setting: builders; '' builds only here)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="build again and report whether the result is bit-identical (with -K, a"
        " rebuild that differs is kept, to compare)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON report")
    add_dry_run(p)

    p = commands.add("eval", _eval, "show what an attribute is, without building it")
    completes_attrs(
        p.add_argument(
            "attr", metavar="ATTR", help="attribute of the set (or pypi:NAME, or of FILE)"
        )
    )
    p.add_argument("-f", "--file", help="Python file whose attribute ATTR is evaluated")
    set_arguments(p)
    add_refresh_flag(p)
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print a JSON object")
    form.add_argument(
        "--raw",
        action="store_true",
        help="print a string as it is, with no quotes and no newline added (nix eval --raw)",
    )


def _build_targets(args: argparse.Namespace) -> list[Any]:
    """The derivations named on the command line, from FILE or from the package set."""
    with _asked_for(args.attrs):
        values, pkgs = attr_values(args, args.attrs)
    targets = []
    for value, attr in zip(values, args.attrs, strict=True):
        with _asked_for([attr]):
            targets.append(as_derivation(value, attr, pkgs))
    return targets


@contextmanager
def _asked_for(attrs: Sequence[str]) -> Iterator[None]:
    """Evaluate what `attrs` name, an error of a release the interpreter cannot have naming
    the one attribute asked for that needs it (``beautifulsoup4 needs soupsieve``): a
    package's inputs are evaluated with its derivation, after the set has given it, so the
    set cannot tell which attribute asked. Of several, the one is not known here."""
    try:
        yield
    except UnsupportedInterpreter as exc:
        if len(attrs) == 1:
            exc.evaluating(attrs[0])
        raise


def _build(args: argparse.Namespace) -> int:
    _refuse_what_does_not_fit(args)
    settings = get_settings(args)
    store = open_store()
    if args.all:
        return _build_all(args, store, build_options(args, settings))

    key = None if args.check or args.dry_run or not settings.eval_cache else _cache_key(args, store)
    with recorded_valid(store, None if args.refresh else key) as cached:
        if cached is not None and not (args.json and _drvs_gone(store, cached)):
            return _finish(args, store, cached, dict.fromkeys(cached, _VALID))
    options = build_options(args, settings)
    targets = _evaluate(args, store, key) if key else _build_targets(args)
    if args.dry_run:
        return print_work(targets, store, options, args.json)  # loads the plan, not the build
    from ..derivations import instantiate_all
    from ..realiser import realise

    valid_before = {t for t in targets if _valid(t, store)} if args.json else set()
    try:
        results = realise(targets, store, options)  # which roots the outputs for the result links
    except PybuildError as error:  # the first failure stopped the builds (no --keep-going)
        if args.json:  # the report all the same; the error is said on stderr as without --json
            instantiate_all(targets, store)
            print_json(_stopped_records(args, store, targets, error, valid_before))
        raise
    if args.json:
        instantiate_all(targets, store)  # its drvPath is in the store, as Nix's is
    if args.check and not _failed(results):
        return _report_check(args, store, list(zip(args.attrs, targets, strict=True)), options)
    return _finish(args, store, targets, results)


def _refuse_what_does_not_fit(args: argparse.Namespace) -> None:
    """Every option works with every other, or the command line is refused (never ignored)."""
    if args.all and args.attrs:
        raise UsageError("--all builds every package of the set: name no ATTR with it")
    if args.all and args.file:
        raise UsageError("--all builds the package set, not a file: drop -f or --all")
    if args.all and args.out_link:
        raise UsageError("--all makes no result link: drop -o (or name the attributes)")
    if not args.all and not args.attrs:
        raise MissingArgument("name what to build (ATTR…), or --all")
    if args.check and args.dry_run:  # its plan says what is missing, and --check rebuilds all
        raise UsageError(
            "--check rebuilds every target, valid or not, and --dry-run builds nothing:"
            " drop one (--dry-run alone says what is missing)"
        )
    if args.file:
        refuse_set_options(args)


def _drvs_gone(store: Any, targets: list[Any]) -> bool:
    """Whether a recorded target's ``.drv`` is not in the store: the JSON report names it, and
    a valid output does not need it (its output was built by another derivation with the same
    fixed output, or came from a cache, and a collection took it), so it is evaluated again."""
    return not all(store.is_valid(t.drv_name) for t in targets)


def _failed(results: dict[Any, BuildResult]) -> list[Any]:
    return [d for d, result in results.items() if not result.ok]


def _cache_key(args: argparse.Namespace, store: Any) -> str:
    """The evaluation cache's name for this command line's evaluation (pybuild/fastpath.py
    names the command lines it answers the same way)."""
    from ..evalcache import cache_key

    python = located_python(args)
    command = ["build", args.file, args.attrs, recipe_folders(args), args.overlay, python]
    return cache_key(store, keyed_command(args, command))


def _evaluate(args: argparse.Namespace, store: Any, key: str) -> list[Any]:
    """Evaluate the targets while recording what is read, and keep the record."""
    return evaluate_recorded(store, key, lambda: _build_targets(args))


def _finish(
    args: argparse.Namespace, store: Any, targets: list[Any], results: dict[Any, BuildResult]
) -> int:
    """Result links for what was built, then the report (text or JSON); under temporary roots.

    The errors and the tally go to stderr with `--json` as without it: the JSON on stdout is
    for a program, and a person who reads the terminal (or a CI log) is told why it failed.
    """
    failed = [t for t in targets if not results[t].ok]
    if args.out_link:
        _make_result_links(store, args.out_link, [t for t in targets if t not in failed])
    if args.json:
        print_json(
            [_record(a, t, store, results[t]) for a, t in zip(args.attrs, targets, strict=True)]
        )
    else:
        for target in targets:
            if target not in failed:
                print("\n".join(target.path(o, store) for o in target.outputs))
    told: set[int] = set()  # the errors printed: each with its log's tail once
    named = [(a, results[t]) for a, t in zip(args.attrs, targets, strict=True) if t in failed]
    # the failures first, then what they kept from being built
    named.sort(key=lambda failure: failure[1].status is Status.DEPENDENCY_FAILED)
    for attr, result in named:
        from ..progress import tell  # only a command telling a failure needs it

        tell(f"error: {attr}: {_failure(result, told)}", args.color)
    if failed and len(targets) > 1 and args.keep_going:  # each one was tried: a tally
        print(_summary([{"status": results[t].status} for t in targets]), file=sys.stderr)
    return 1 if failed else 0


def _valid(drv: Any, store: Any) -> bool:
    """Whether `drv`'s outputs are valid and there (a path deleted by hand is not built)."""
    return all(store.holds(p) for p in drv.output_paths.values())


def _stopped_records(
    args: argparse.Namespace,
    store: Any,
    targets: list[Any],
    error: PybuildError,
    valid_before: set[Any],
) -> list[dict[str, Any]]:
    """The JSON report of builds that `error` stopped (without `--keep-going`), each target's
    record as `-k` gives it: realise raised the error, so what became of each is read back.

    A target whose outputs are valid now was built (or valid already); the one that failed is
    ``failed``, with the error; one that needs it, ``dependency failed``, naming it; any other
    was not built because the builds stopped: ``stopped``. Where the error does not tell which
    derivation failed, every target not built is ``failed`` with it.
    """
    failed = _failed_by(error, targets)
    records = []
    for attr, target in zip(args.attrs, targets, strict=True):
        if _valid(target, store):
            result = _VALID if target in valid_before else BuildResult(Status.BUILT)
        elif failed is None or failed == target:
            result = BuildResult.failure(error)
        elif failed in _closure([target]):
            result = BuildResult.failure(error).blocked(failed.drv_name)
        else:
            record = _record(attr, target, store, _VALID)
            records.append({**record, "status": "stopped", "tests": None})
            continue
        records.append(_record(attr, target, store, result))
    return records


def _failed_by(error: PybuildError, targets: list[Any]) -> Any:
    """The derivation, among `targets` and their inputs, whose failure `error` is (None: the
    error is no build's, such as a plan's)."""
    return next((d for d in _closure(targets) if d.drv_name == error.failed_drv), None)


def _closure(drvs: list[Any]) -> set[Any]:
    """`drvs` and every derivation they need, directly or not."""
    from ..graph import reachable

    return reachable(drvs, lambda drv: drv.input_drvs)


def _record(attr: str, drv: Any, store: Any, result: BuildResult) -> dict[str, Any]:
    """One target's JSON record, the same with `--all` or without (documented in
    docs/concepts/environments.md): Nix's ``drvPath`` and ``outputs``, its status, a failure's
    error, log and failed input (its ``.drv`` in the store, as ``drvPath`` names one), and the
    counts of its check phase."""
    record = {
        "attr": attr,
        "drvPath": str(store.path(drv.drv_name)),
        "outputs": {o: drv.path(o, store) for o in drv.outputs},
        **result.to_json(),  # status; and error, log, failedInput
        "tests": _tests_json(store, drv, result),
    }
    if result.failed_input is not None:
        record["failedInput"] = str(store.path(result.failed_input))
    return record


def _failure(result: BuildResult, told: set[int]) -> str:
    """A failed target's message: a target not built because an input failed names that
    input, and repeats its error (with the log's tail) only where it was not printed yet."""
    error = result.error
    if result.status is Status.DEPENDENCY_FAILED and error is not None and id(error) in told:
        return f"not built: its input {result.failed_input} failed (its error is above)"
    if error is not None:
        told.add(id(error))
    return result.describe()


def _widths(rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """The --all table's status and attribute columns: as wide as their widest entry (a
    ``dependency failed``, a long attribute), at least as wide as before."""
    rows = list(rows)
    status = max((len(r["status"]) for r in rows), default=0)
    attr = max((len(r["attr"]) for r in rows), default=0)
    return max(12, status), max(28, attr)


def _build_all(args: argparse.Namespace, store: Any, options: Any) -> int:
    """Every package of the set; each attribute's success or failure, as Hydra reports it.

    Whatever failed makes the exit status 1, `--keep-going` or not (as Nix does): it only lets
    the other builds go on. An attribute that cannot exist for the set's interpreter (its
    release has no wheel for it or for its platform, :class:`UnsupportedInterpreter`) is
    *unsupported*, with the reason, and no failure: nixpkgs' ``disabled`` packages are not
    built either, nor those whose ``meta.platforms`` leave the system out. With
    `--check`, each attribute is rebuilt and compared too.
    """
    from ..realiser import realise
    from ..testcounts import SuiteCounts, total

    drvs, rows = _evaluate_all(package_set(args))
    if args.dry_run:
        return _dry_run_all(args, store, options, drvs, rows)
    results = realise(list(drvs.values()), store, replace(options, keep_going=True))
    if args.json:
        from ..derivations import instantiate_all

        instantiate_all(list(drvs.values()), store)  # each drvPath is in the store, as Nix's is
    for attr, drv in drvs.items():
        rows[attr] = _record(attr, drv, store, results.get(drv, _VALID))
    table = [rows[a] for a in sorted(rows)]
    if args.check:
        checked = [(r["attr"], drvs[r["attr"]]) for r in table if _succeeded(r)]
        return _report_check(args, store, checked, options, not_checked=len(table) - len(checked))
    if args.json:  # the failures are said on stderr too, as without --json by the table
        print_json(table)
        for row in table:
            if not _succeeded(row) and row["status"] != "unsupported":
                print(f"{row['status']}: {row['attr']}: {_why_not_built(row)}", file=sys.stderr)
    else:
        status_w, attr_w = _widths(table)
        for row in table:
            shown = " ".join(row["outputs"].values()) if _succeeded(row) else _why_not_built(row)
            print(f"{row['status']:<{status_w}} {row['attr']:<{attr_w}} {shown}")
            if row.get("tests"):
                tests = SuiteCounts(**row["tests"]).describe()
                print(f"{'':<{status_w}} {'':<{attr_w}} tests: {tests}")
            if row.get("log"):
                print(f"{'':<{status_w}} {'':<{attr_w}} log: {row['log']}")
    print(_summary(table), file=sys.stderr)
    suites = [SuiteCounts(**r["tests"]) for r in table if r.get("tests")]
    if suites:
        print(f"tests ran in {len(suites)}: {total(suites).describe()}", file=sys.stderr)
    return int(any(not _succeeded(r) and r["status"] != "unsupported" for r in table))


def _dry_run_all(
    args: argparse.Namespace,
    store: Any,
    options: Any,
    drvs: dict[str, Any],
    rows: dict[str, dict[str, Any]],
) -> int:
    """``build --all --dry-run``: what will not be built, and why, then the plan; exit status
    1 if an attribute failed to evaluate (an unsupported one is no failure).

    With `--json`, the report of ``build --all --json``, one record an attribute, each
    derivation's status what the dry run finds: ``valid``, or the plan's ``build``,
    ``download`` or ``copy`` (as ``build --json --dry-run`` names them); why an attribute
    failed is said on stderr too, as the build says it.
    """
    failed = [r for r in rows.values() if r["status"] != "unsupported"]
    if not args.json:
        status_w, attr_w = _widths(rows.values())
        for row in rows.values():  # what will not be built, and why
            print(
                f"{row['status']:<{status_w}} {row['attr']:<{attr_w}} {_first_line(row['error'])}"
            )
        print_work(list(drvs.values()), store, options)
        return int(bool(failed))
    from ..derivations import instantiate_all
    from ..plan import planned_work

    instantiate_all(list(drvs.values()), store)  # each drvPath is in the store, as Nix's is
    work = planned_work(list(drvs.values()), store, options)
    groups = {"build": work.builds, "download": work.downloads, "copy": work.copies}
    planned = {d.drv_name: verb for verb, group in groups.items() for d in group}
    for attr, drv in drvs.items():
        record = _record(attr, drv, store, _VALID)
        verb = planned.get(drv.drv_name)
        rows[attr] = record if verb is None else {**record, "status": verb, "tests": None}
    print_json([rows[a] for a in sorted(rows)])
    for row in failed:
        print(f"{row['status']}: {row['attr']}: {_first_line(row['error'])}", file=sys.stderr)
    return int(bool(failed))


def _succeeded(row: dict[str, Any]) -> bool:
    """Whether a record's outputs are there: built, copied from a cache, or valid already."""
    return row["status"] in _OK


def _why_not_built(row: dict[str, Any]) -> str:
    """A failed row's reason in the table: its error, or the input whose failure stopped it.

    A dependent's error is its input's, word for word; shown alone it would read as though
    the dependent had failed by itself, so the input is named instead (its own row has the
    error).
    """
    if row["status"] == Status.DEPENDENCY_FAILED:
        return f"not built: its input {row['failedInput']} failed"
    return _first_line(row["error"])


def _summary(table: list[dict[str, Any]]) -> str:
    """The counts of a ``build --all``, as Hydra gives them: a package not built because an
    input failed is counted apart from the failures, so that one broken package upstream does
    not read as many broken packages."""
    unsupported = sum(r["status"] == "unsupported" for r in table)
    blocked = sum(r["status"] == Status.DEPENDENCY_FAILED for r in table)
    succeeded = sum(map(_succeeded, table))
    failed = len(table) - succeeded - blocked - unsupported
    summary = f"{succeeded} succeeded, {failed} failed"
    if blocked:
        summary += f", {blocked} not built: an input failed"
    if unsupported:
        summary += f", {unsupported} unsupported by this interpreter or platform"
    return summary


def _tests_json(store: Any, drv: Any, result: BuildResult) -> dict[str, int] | None:
    """What the check phase of `drv`'s build counted, from its log (None: no tests ran)."""
    from ..testcounts import counts_for  # here: only reports read the logs back

    counts = counts_for(store.log_dir, drv.drv_name, result)
    return counts.to_json() if counts else None


def _evaluate_all(pkgs: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The derivation of every attribute that has one, and a report row for each that does not
    (unsupported by the interpreter, not a package, or failed to evaluate).

    A recipe's error of any kind (its own KeyError as much as pybuild's errors, or a
    BaseException of its own class) is its row, with the place in its file, and the other
    attributes are evaluated and built, as Hydra does; only an interruption (Ctrl-C,
    ``SystemExit``) ends the evaluation (a recipe's ``GeneratorExit``, raised outside any
    generator, means nothing but its error)."""
    from ..diagnostics import in_a_row  # here: only a failed evaluation needs it

    rows: dict[str, dict[str, Any]] = {}
    drvs: dict[str, Any] = {}
    for attr in pkgs.packages():
        try:
            drvs[attr] = as_derivation(pkgs[attr], attr, pkgs)
        except UnsupportedInterpreter as exc:
            exc.evaluating(attr)  # a package needing another's release names both
            rows[attr] = {"attr": attr, "status": "unsupported", "error": str(exc)}
        except NotAPackage as exc:  # not a recipe's error: a UsageError of one is eval-failed
            rows[attr] = {"attr": attr, "status": "not-a-package", "error": str(exc)}
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # any error of a recipe's is its row (not ^C, not exit)
            rows[attr] = {"attr": attr, "status": "eval-failed", "error": in_a_row(exc)}
    return drvs, rows


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _report_check(
    args: argparse.Namespace,
    store: Any,
    targets: Sequence[tuple[str, Any]],
    options: Any,
    not_checked: int = 0,
) -> int:
    """Rebuild each target and say whether it is bit-identical, as reproducible-builds.org
    reports a set: each attribute, then the share that rebuilds bit for bit."""
    from ..realiser import check, shown_files

    rows = []
    for attr, target in targets:
        row: dict[str, Any] = {
            "attr": attr,
            "drvPath": str(store.path(target.drv_name)),
            "outputs": {o: target.path(o, store) for o in target.outputs},
        }
        try:
            differences = check(target, store, options)
        except PybuildError as exc:
            row.update(status="failed", error=str(exc))
        else:
            row.update(status="differs" if differences else "identical")
            if differences:  # only then, as the record's layout has it
                row["differing"] = {str(store.path(n)): d.files for n, d in differences.items()}
            kept = {str(store.path(n)): str(d.kept) for n, d in differences.items() if d.kept}
            if kept:  # only with -K
                row["kept"] = kept
        rows.append(row)
    identical = sum(r["status"] == "identical" for r in rows)
    total = len(rows) + not_checked
    if args.json:
        print_json(rows)
    else:
        # Standard output holds the paths, as every build's does (``$(pybuild build --check
        # x)`` is the path); whether they rebuilt bit for bit is said on standard error.
        for row in rows:
            if row["status"] != "failed":
                print("\n".join(row["outputs"].values()))
            if row["status"] == "identical":
                verdict = f"{' '.join(row['outputs'].values())}: rebuilt bit-identical"
                print(verdict, file=sys.stderr)
            elif row["status"] == "failed":
                print(f"{row['attr']}: the rebuild failed: {row['error']}", file=sys.stderr)
            for path, files in row.get("differing", {}).items():
                where = f" (kept in {row['kept'][path]})" if path in row.get("kept", {}) else ""
                said = f"{path}: differs when rebuilt{where}, in {len(files)} file(s):"
                print(said, file=sys.stderr)
                print("".join(f"  {f}\n" for f in shown_files(files)), end="", file=sys.stderr)
    if len(rows) > 1 or not_checked:
        share = f" ({100 * identical / total:.0f}%)" if total else ""
        print(f"{identical} of {total} rebuilt bit for bit{share}", file=sys.stderr)
    return 0 if identical == total else 1


def _make_result_links(store: Any, link: str, targets: Sequence[Any]) -> None:
    from ..store.roots import add_result_link

    for i, target in enumerate(targets):
        for output in target.outputs:
            name = link if i == 0 else f"{link}-{i + 1}"
            if output != "out":
                name = f"{name}-{output}"
            add_result_link(store, name, target.path(output, store))


def _eval(args: argparse.Namespace) -> int:
    with _asked_for([args.attr]):
        (value,), pkgs = attr_values(args, [args.attr])
    # A recipe's own result must be a package, and its error names the recipe's file; a value
    # within one (six.version), an overlay's, a file's or pybuild's own (python) is shown if
    # it is data (an overlay's ``{"v": prev.six.version}`` is data the set holds).
    of_a_recipe = (
        pkgs is not None and "." not in args.attr and pkgs.recipe_file(args.attr) is not None
    )
    if args.raw:
        return _print_raw(value, args.attr, pkgs if of_a_recipe else None)
    data = _NOT_DATA if of_a_recipe else _data(value)
    if data is not _NOT_DATA:
        print_json(data)
        return 0
    try:
        with _asked_for([args.attr]):
            drv = as_derivation(value, args.attr, pkgs)
    except NotAPackage as error:
        if not of_a_recipe:  # build's hint says what is built: eval builds nothing
            error.hint = (
                "eval shows a package or a derivation, or data: strings, finite numbers,"
                " booleans, None, and lists and string-keyed dicts of them and of packages"
            )
        raise
    store = open_store()
    from ..derivations import instantiate_all

    instantiate_all([drv], store)  # as nix-instantiate: its drvPath is then in the store
    info: dict[str, Any] = {
        "attr": args.attr,
        "name": drv.name,
        "drvPath": str(store.path(drv.drv_name)),
        "outputs": {o: drv.path(o, store) for o in drv.outputs},
        "built": _valid(drv, store),
    }
    attrs = getattr(value, "attrs", None)
    if attrs is not None:
        info.update(
            pname=value.pname,
            version=value.version,
            format=attrs["format"],
            dependencies=[_reference(d) for d in value.dependencies],
            build_system=[_reference(b) for b in attrs["build_system"]],
            native_build_inputs=[_reference(b) for b in attrs["native_build_inputs"]],
            src=str(attrs["src"]),
            meta=value.meta,
        )
    if args.json:
        print_json(info)
    else:
        for key, val in info.items():
            if isinstance(val, dict):  # one line per key, as "meta.license: MIT"
                print("".join(f"{key}.{k}: {v}\n" for k, v in val.items()), end="")
                continue
            shown = ", ".join(val) if isinstance(val, list) else val
            print(f"{key}: {shown}")
    return 0


def _print_raw(value: object, attr: str, recipes: Any) -> int:
    """``eval --raw``: a string written as it is, as ``nix eval --raw`` writes it, with no
    newline added, for ``$(pybuild eval --raw six.version)``; anything else is refused, what
    a recipe of `recipes` (the set, for a recipe's own result) returned first as it is when
    it is no package."""
    if isinstance(value, str) and recipes is None:
        sys.stdout.write(value)
        return 0
    if recipes is not None:
        as_derivation(value, attr, recipes)
    from ..pkgset import a_noun

    error = UsageError(
        f"{attr} is {a_noun(type(value).__name__)}, not a string: --raw prints a string as it is"
    )
    error.hint = "without --raw, eval prints data as JSON and describes a package"
    raise error


_NOT_DATA = object()  # what _data answers for a value it cannot write


def _data(value: object, within: bool = False) -> object:
    """`value` as JSON writes it, if it is data (strings, finite numbers, booleans, None, and
    lists and string-keyed dicts of them): ``eval`` prints it, as ``nix eval`` prints a version or
    a list. A package or a derivation within a list or dict (``requests.dependencies``) is
    named as a package's description names its inputs (:func:`_reference`); one that is the
    value itself is described; one not evaluated yet (a recipe's ``attrs`` hold inputs so) is
    evaluated first. :data:`_NOT_DATA` for anything else."""
    from ..lazy import force

    value = force(value)
    if value is None or isinstance(value, str | int):  # bool is an int
        return value
    if isinstance(value, float):  # JSON has no NaN nor infinity (nor has Nix)
        import math  # a module to load for an attribute that is a float, not for each build

        return value if math.isfinite(value) else _NOT_DATA
    from ..derivations import derivation_of

    if within and derivation_of(value) is not None:
        return _reference(value)
    if isinstance(value, list | tuple):
        items = [_data(v, within=True) for v in value]
        return _NOT_DATA if any(item is _NOT_DATA for item in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        values = {k: _data(v, within=True) for k, v in value.items()}
        return _NOT_DATA if any(v is _NOT_DATA for v in values.values()) else values
    return _NOT_DATA


def _reference(value: Any) -> str:
    """How ``eval`` names a package or a derivation another value holds: a package by its
    name (``certifi``), as ``pip`` would, and a bare derivation, which has none, by its
    output path."""
    from ..derivations import derivation_of

    pname = getattr(value, "pname", None)
    return pname if isinstance(pname, str) else str(derivation_of(value))
