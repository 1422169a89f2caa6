"""The store: content-addressed adds, commits, the registry, parsing, references, locks, verify."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pybuild.errors import InvalidName, InvalidPath, PathNotValid, UsageError
from pybuild.hashing import hash_path
from pybuild.store import Problem, Store, default_home, registry
from pybuild.store.locks import path_locks
from pybuild.store.paths import HASH_LEN, HASH_PART_RE, check_name, make_name, split_name
from pybuild.store.references import hash_and_scan
from pybuild.store.registry import PathInfo
from pybuild.store.roots import add_result_link

NIX32 = set("0123456789abcdfghijklmnpqrsvwxyz")


def make_tree(root: Path) -> Path:
    tree = root / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (tree / "run.sh").chmod(0o755)
    (tree / "sub" / "a").write_text("x")
    (tree / "link").symlink_to("../f.txt")
    return tree


def modes(root: Path) -> dict[str, int]:
    """Permission bits of every entry below `root` (symlinks excluded), by relative path."""
    found = {".": stat.S_IMODE(root.lstat().st_mode)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def work_dir(store: Store, files: dict[str, str]) -> Path:
    """A directory in the store's tmp area holding `files` (relative path -> text)."""
    out = store.new_tmp_dir("test") / "out"
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    return out


def hash_part(name: str) -> str:
    return split_name(name)[0]


# -- layout -----------------------------------------------------------------------------------


def test_layout_under_home(tmp_path: Path) -> None:
    store = Store(tmp_path / "h")
    assert store.home == tmp_path / "h"
    assert store.dir == tmp_path / "h" / "store"
    assert store.var == tmp_path / "h" / "var"
    assert store.tmp_dir == store.var / "tmp"
    assert store.log_dir == store.var / "log"
    assert store.gcroots_dir == store.var / "gcroots"
    assert store.lock_dir == store.var / "locks"
    assert store.path("x") == store.dir / "x"


def test_a_store_shows_its_home(tmp_path: Path) -> None:
    """As it is made: from its home, which holds the store folder."""
    store = Store(tmp_path / "h")
    assert repr(store) == f"Store({str(tmp_path / 'h')!r})"
    assert eval(repr(store), {"Store": Store}).dir == store.dir


def test_default_store_follows_pybuild_home(pybuild_home: Path) -> None:
    assert Store.default().home == pybuild_home
    assert Store.default().dir == pybuild_home / "store"


def test_default_home_without_pybuild_home(tmp_path: Path) -> None:
    assert default_home({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "pybuild"
    assert default_home({"PYBUILD_HOME": "", "XDG_DATA_HOME": str(tmp_path)}) == (
        tmp_path / "pybuild"
    )
    assert default_home({}).name == "pybuild"


def test_relative_home_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Store("rel").dir == tmp_path / "rel" / "store"


# -- names ------------------------------------------------------------------------------------


def test_make_name_shape_and_determinism() -> None:
    name = make_name("source", "ab" * 32, "hello-1.0")
    digest, rest = split_name(name)
    assert len(digest) == HASH_LEN
    assert HASH_PART_RE.fullmatch(digest)
    assert rest == "hello-1.0"
    assert make_name("source", "ab" * 32, "hello-1.0") == name
    assert make_name("text", "ab" * 32, "hello-1.0") != name
    assert make_name("source", "cd" * 32, "hello-1.0") != name
    assert hash_part(make_name("source", "ab" * 32, "other")) != digest


@pytest.mark.parametrize("name", ["a", "hello-1.0", "x+y_z?=.drv", "A" * 211, "foo.bar"])
def test_check_name_accepts(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        (".hidden", "starts with a dot"),
        ("..", "starts with a dot"),
        ("A" * 212, "longer than 211"),
        ("has space", "' '"),
        ("slash/inside", "'/'"),
        ("naïve", "'ï'"),
        ("a:b", "':'"),
    ],
)
def test_check_name_rejects(name: str, reason: str) -> None:
    with pytest.raises(InvalidName) as info:
        check_name(name)
    assert reason in str(info.value)
    assert info.value.name == name


def test_make_name_checks_the_name() -> None:
    with pytest.raises(InvalidName):
        make_name("source", "00" * 32, "bad name")


@pytest.mark.parametrize(
    "basename",
    [
        "noseparator",
        "short-name",
        "0" * 31 + "-x",
        "0" * 31 + "e-x",  # 'e' is not a base-32 digit
        "0" * 32 + "-",
        "0" * 32 + "-.x",
        "0" * 32 + "x",
    ],
)
def test_split_name_rejects(basename: str) -> None:
    with pytest.raises(InvalidName):
        split_name(basename)


def test_split_name_keeps_dashes_in_the_name() -> None:
    assert split_name("0" * 32 + "-hello-world-1.0") == ("0" * 32, "hello-world-1.0")


# -- adding -----------------------------------------------------------------------------------


def test_add_path_of_a_file(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "data.txt"
    src.write_text("payload\n")
    name = store.add_path(src)
    assert name.endswith("-data.txt")
    target = store.path(name)
    assert target.read_text() == "payload\n"
    assert stat.S_IMODE(target.lstat().st_mode) == 0o444
    assert target.lstat().st_mtime == 1
    assert store.is_valid(name)
    info = store.info(name)
    assert info.path == name
    assert (info.nar_hash, info.nar_size) == (hash_path(src)[0].sri, hash_path(src)[1])
    assert info.references == ()
    assert info.ca == f"source:{hash_path(src)[0].sri}"
    assert not list(store.tmp_dir.iterdir())  # the working copy is gone


def test_add_path_is_content_addressed(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f.txt").write_text("same")
    (tmp_path / "b" / "f.txt").write_text("same")
    first = store.add_path(tmp_path / "a" / "f.txt")
    assert store.add_path(tmp_path / "b" / "f.txt") == first
    (tmp_path / "b" / "f.txt").write_text("different")
    assert store.add_path(tmp_path / "b" / "f.txt") != first
    (tmp_path / "a" / "g.txt").write_text("same")
    assert store.add_path(tmp_path / "a" / "g.txt") != first  # the name is part of the identity


def test_a_source_that_changes_while_it_is_added_is_named(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is hashed again as it is stored: a file written meanwhile is told of the
    user's folder, not of the store's temporary copy (var/tmp/add-…/content)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("a")
    from pybuild.store import core

    copy_tree = core._copy_tree

    def written_meanwhile(source: str, target: str, keep: object) -> None:
        copy_tree(source, target, keep)  # type: ignore[arg-type]
        (Path(target) / "a.txt").write_text("b")

    monkeypatch.setattr(core, "_copy_tree", written_meanwhile)
    with pytest.raises(InvalidPath) as err:
        store.add_path(src)
    assert str(err.value) == f"{src}: changed while it was being added"
    assert list(store.tmp_dir.iterdir()) == []


def test_add_path_is_idempotent(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_text("x")
    name = store.add_path(src)
    before = list(store.registry.paths())
    time_before = store.info(name).registration_time
    assert store.add_path(src) == name
    assert list(store.registry.paths()) == before
    assert store.info(name).registration_time == time_before


def test_add_path_name_independent_of_home(tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    one, two = Store(tmp_path / "one"), Store(tmp_path / "two")
    assert one.add_path(src) == two.add_path(src)


def test_add_path_of_a_tree_keeps_exec_bits_and_links(store: Store, tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    name = store.add_path(src)
    target = store.path(name)
    assert hash_path(target) == hash_path(src)
    assert os.readlink(target / "link") == "../f.txt"
    assert modes(target) == {".": 0o555, "run.sh": 0o555, "sub": 0o555, "sub/a": 0o444}
    assert all(p.lstat().st_mtime == 1 for p in [target, *target.rglob("*")])
    assert subprocess.run([target / "run.sh"], capture_output=True, text=True).stdout == "hi\n"


def test_add_path_with_explicit_and_cleaned_names(store: Store, tmp_path: Path) -> None:
    src = tmp_path / ".my file.txt"
    src.write_text("x")
    assert store.add_path(src).endswith("-my_file.txt")
    assert store.add_path(src, "custom").endswith("-custom")
    with pytest.raises(InvalidName):
        store.add_path(src, "bad name")


def test_add_path_of_a_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidPath, match="does not exist"):
        store.add_path(tmp_path / "absent")


@pytest.mark.parametrize("target", ["data.txt", "folder", "absent"])
def test_add_path_of_a_symlink_stores_the_link_itself(
    store: Store, tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Nix adds a path that is a symlink (``/bin/sh``, a link to dash): the link itself,
    with its target as written, whatever it points to (a file, a folder, nothing); its hash
    is the NAR of a symlink, as the hashing of the source computes it. Even while os.stat
    is wrapped, as an evaluation's recording (pybuild.evalcache) wraps it, which took it out
    of os.supports_follow_symlinks and made shutil's copy of a link fail."""
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda *args, **kwargs: real_stat(*args, **kwargs))
    (tmp_path / "data.txt").write_text("payload\n")
    (tmp_path / "folder").mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    name = store.add_path(link)
    assert name.endswith("-link")
    stored = store.path(name)
    assert stored.is_symlink() and os.readlink(stored) == target
    assert store.info(name).nar_hash == hash_path(link)[0].sri
    assert hash_path(stored) == hash_path(link)
    assert store.add_path(link) == name
    assert not list(store.tmp_dir.iterdir())


def test_a_builder_given_as_a_path_to_a_link_says_what_the_link_is(
    store: Store, tmp_path: Path
) -> None:
    """Path("/bin/sh") is stored as the link to dash it is, as Nix stores it, and runs as
    nothing: the build's error says it is a link whose target is not there, and what to
    write instead, where it said only "not an executable file"."""
    from pybuild.derivations import derivation
    from pybuild.errors import CannotRunBuilder
    from pybuild.realiser import BuildOptions, realise

    link = tmp_path / "sh"
    link.symlink_to("dash")
    drv = derivation(name="linked", builder=link, args=["-c", "echo > $out"], store=store)
    with open(os.devnull, "w") as log, pytest.raises(CannotRunBuilder) as caught:
        realise([drv], store, BuildOptions(log=log))
    assert "it is a symbolic link to dash, which is not there" in str(caught.value)
    assert 'builder="/bin/sh"' in caught.value.hint


def test_add_path_of_a_directory_works_without_root_privileges(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rename(2) moves a directory to a new parent only if the directory itself is writable
    (the kernel rewrites its ".." entry); root skips that check, everyone else does not. Apply
    the rule to os.rename, so this test fails as it would for a normal user even under root."""
    real_rename = os.rename

    def unprivileged_rename(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        moves_dir = os.path.isdir(src) and not os.path.islink(src)
        new_parent = os.path.dirname(os.path.abspath(src)) != os.path.dirname(os.path.abspath(dst))
        if moves_dir and new_parent and not os.stat(src).st_mode & stat.S_IWUSR:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(src))
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", unprivileged_rename)
    name = store.add_path(make_tree(tmp_path))
    assert store.is_valid(name)
    assert stat.S_IMODE(store.path(name).lstat().st_mode) == 0o555


def test_add_text(store: Store) -> None:
    dep = store.add_text("dep.txt", "dependency")
    name = store.add_text("x.drv", '{"a": 1}', references=[dep])
    assert name.endswith("-x.drv")
    assert store.path(name).read_text() == '{"a": 1}'
    assert stat.S_IMODE(store.path(name).stat().st_mode) == 0o444
    assert store.info(name).references == (dep,)
    assert store.add_text("x.drv", '{"a": 1}', references=[dep]) == name
    assert store.add_text("x.drv", '{"a": 2}') != name


# -- commit -----------------------------------------------------------------------------------


def test_commit_canonicalises_scans_renames_and_registers(store: Store) -> None:
    dep = store.add_text("dep", "d")
    unrelated = store.add_text("unrelated", "u")
    name = make_name("output:out", "11" * 32, "thing")
    out = work_dir(store, {"bin/tool": f"#!/bin/sh\ncat {store.path(dep)}\n", "doc": "x"})
    (out / "bin" / "tool").chmod(0o755)
    [info] = store.commit({name: out}, candidates=[dep, unrelated], deriver="some.drv")
    assert not out.exists()
    target = store.path(name)
    assert (target / "bin" / "tool").read_text().endswith(f"{store.path(dep)}\n")
    assert modes(target) == {".": 0o555, "bin": 0o555, "bin/tool": 0o555, "doc": 0o444}
    assert all(p.lstat().st_mtime == 1 for p in [target, *target.rglob("*")])
    assert info.references == (dep,)
    assert store.info(name) == info
    assert store.info(name).deriver == "some.drv"
    assert store.info(name).nar_hash == hash_path(target)[0].sri


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another uid is root's")
def test_commit_copies_what_is_hard_linked_from_outside_before_changing_anything(
    store: Store, tmp_path: Path
) -> None:
    """A builder can hard-link any file it may write into its output (as root, any at all):
    the copy stored is canonical, and the file's other names keep owner, mode and time."""
    host = tmp_path / "host"
    host.mkdir()
    (host / "nobodys").write_text("nobody's\n")
    os.chown(host / "nobodys", 65534, 65534)
    (host / "nobodys").chmod(0o666)
    (host / "setuid").write_text("mine\n")
    (host / "setuid").chmod(0o4777)
    (host / "link").symlink_to("/elsewhere")
    os.lchown(host / "link", 65534, 65534)
    before = {p.name: os.lstat(p) for p in host.iterdir()}
    name = make_name("output:out", "12" * 32, "linked")
    out = work_dir(store, {"sub/plain": "x"})
    for each in before:
        os.link(host / each, out / "sub" / each, follow_symlinks=False)
    store.commit({name: out})
    target = store.path(name)
    after = {p.name: os.lstat(p) for p in host.iterdir()}
    for each, st in before.items():
        kept = (st.st_uid, st.st_gid, st.st_mode, st.st_mtime_ns, st.st_nlink)
        now = after[each]
        assert (now.st_uid, now.st_gid, now.st_mode, now.st_mtime_ns, now.st_nlink) == kept
        stored = os.lstat(target / "sub" / each)
        assert (stored.st_uid, stored.st_gid, stored.st_nlink) == (os.geteuid(), os.getegid(), 1)
        assert stored.st_mtime == 1
    assert (host / "nobodys").read_text() == "nobody's\n"
    assert os.readlink(target / "sub" / "link") == "/elsewhere"
    assert modes(target)["sub/nobodys"] == 0o444 and modes(target)["sub/setuid"] == 0o555


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another uid is root's")
def test_commit_refuses_a_hard_linked_fifo_without_changing_it(
    store: Store, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o666)
    os.chown(fifo, 65534, 65534)
    before = os.lstat(fifo)
    out = work_dir(store, {"f": "x"})
    os.link(fifo, out / "fifo")
    with pytest.raises(InvalidPath, match="special files"):
        store.commit({make_name("output:out", "13" * 32, "fifo"): out})
    now = os.lstat(fifo)
    assert (now.st_uid, now.st_mode, now.st_mtime_ns) == (65534, before.st_mode, before.st_mtime_ns)


def test_commit_finds_self_references(store: Store) -> None:
    name = make_name("output:out", "22" * 32, "self")
    out = work_dir(store, {"f": f"my own path is {store.path(name)}"})
    store.commit({name: out})
    assert store.info(name).references == (name,)


def test_commit_of_several_outputs_that_refer_to_each_other(store: Store) -> None:
    lib = make_name("output:lib", "33" * 32, "pkg-lib")
    out = make_name("output:out", "33" * 32, "pkg")
    built = {
        out: work_dir(store, {"uses": f"{store.path(lib)}/lib.so"}),
        lib: work_dir(store, {"lib.so": "binary"}),
    }
    store.commit(built)
    assert store.info(out).references == (lib,)
    assert store.info(lib).references == ()
    assert store.closure([out]) == sorted([out, lib])


def test_commit_with_explicit_references_skips_scanning(store: Store) -> None:
    dep = store.add_text("dep", "d")
    name = make_name("output:out", "44" * 32, "explicit")
    out = work_dir(store, {"f": "mentions nothing"})
    store.commit({name: out}, references=[dep])
    assert store.info(name).references == (dep,)


def test_commit_replaces_an_unregistered_leftover(store: Store) -> None:
    name = make_name("output:out", "55" * 32, "leftover")
    store.registry.open()  # a store has its registry before any path (else it is lost)
    store.dir.mkdir(parents=True)
    stale = store.path(name)
    stale.mkdir()
    (stale / "half").write_text("half-written")
    stale.chmod(0o555)
    store.commit({name: work_dir(store, {"whole": "complete"})})
    assert sorted(os.listdir(store.path(name))) == ["whole"]


def test_a_commit_whose_registration_fails_leaves_nothing_in_the_store(store: Store) -> None:
    """A reference that is not valid fails the registration after the outputs were renamed
    into the store: they are taken out again, not left unregistered until a later commit."""
    lib = make_name("output:out", "88" * 32, "lib")
    app = make_name("output:out", "99" * 32, "app")
    built = {lib: work_dir(store, {"f": "lib"}), app: work_dir(store, {"f": "app"})}
    missing = make_name("output:out", "aa" * 32, "missing")
    with pytest.raises(PathNotValid, match="missing"):
        store.commit(built, references=[missing])
    assert not store.is_valid(lib) and not store.is_valid(app)
    assert os.listdir(store.dir) == []


def test_commit_rejects_content_that_does_not_match_expect(store: Store) -> None:
    name = make_name("source", "66" * 32, "x")
    out = work_dir(store, {"f": "actual"})
    with pytest.raises(InvalidPath, match="changed"):
        store.commit({name: out}, expect="sha256-" + "A" * 43 + "=")
    assert not store.is_valid(name)


def test_commit_rejects_special_files(store: Store) -> None:
    name = make_name("output:out", "77" * 32, "fifo")
    out = work_dir(store, {"f": "x"})
    os.mkfifo(out / "pipe")
    with pytest.raises(InvalidPath):
        store.commit({name: out})
    assert not store.is_valid(name)


def test_remove_tree_removes_each_kind_of_path_and_never_follows_a_link(tmp_path: Path) -> None:
    from pybuild.store import remove_tree

    kept = make_tree(tmp_path / "kept")
    empty, tree, file, link = (tmp_path / n for n in ("empty", "tree", "file", "link"))
    empty.mkdir()
    make_tree(tree)
    for path in (tree, *tree.rglob("*")):  # read-only, as store content is
        if not path.is_symlink():
            path.chmod(0o555 if path.is_dir() else 0o444)
    file.write_text("f")
    link.symlink_to(kept, target_is_directory=True)
    for path in (empty, tree, file, link, tmp_path / "missing"):
        remove_tree(path)
        assert not os.path.lexists(path), path
    assert modes(kept) == modes(make_tree(tmp_path / "again"))  # what the link named is kept


# -- queries ----------------------------------------------------------------------------------


def test_unknown_path_is_not_valid(store: Store) -> None:
    name = make_name("output:out", "88" * 32, "nothing")
    assert not store.is_valid(name)
    with pytest.raises(PathNotValid) as info:
        store.info(name)
    assert info.value.path == str(store.path(name))
    assert "pybuild build" in str(info.value)


def test_queries_take_a_path_in_the_store_as_its_basename(store: Store, tmp_path: Path) -> None:
    """What ``str(derivation)`` and :meth:`Store.path` give is the path they ask about; a
    path outside the store is no store path at all, for every query alike."""
    c = store.add_text("c", "c")
    a = store.add_text("a", "a", references=[c])
    for given in (str(store.path(a)), store.path(a), f"{store.path(a)}/"):
        assert store.is_valid(given)
        assert store.is_valid(given, root=True)
        assert store.is_valid_rooted(given)
        assert store.valid_among([given, c]) == {a, c}
        assert store.info(given).path == a
        assert store.closure([given]) == sorted([a, c])
    assert list(store.verify(names=[store.path(a)])) == []
    outside = tmp_path / a
    queries = [
        store.is_valid,
        store.is_valid_rooted,
        store.info,
        lambda p: store.valid_among([p]),
        lambda p: store.closure([p]),
    ]
    for query in queries:
        for given in (str(outside), outside):
            with pytest.raises(InvalidPath, match="not inside the store"):
                query(given)


def test_queries_take_a_result_link_here_by_its_bare_name(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A string not shaped ``<hash>-<name>`` is a path, with a slash or without: ``result``
    is the result link in the working directory, as ``./result`` is, not a basename answered
    "not valid"; a string that is neither is refused, not answered. The closure takes one
    name as it takes several."""
    c = store.add_text("c", "c")
    a = store.add_text("a", "a", references=[c])
    monkeypatch.chdir(tmp_path)
    add_result_link(store, tmp_path / "result", a)
    for given in ("result", "./result", Path("result")):
        assert store.is_valid(given)
        assert store.info(given).path == a
        assert store.closure(given) == sorted([a, c])
        assert store.valid_among([given]) == {a}
    assert store.closure(a) == sorted([a, c])
    assert store.closure(store.path(a)) == sorted([a, c])
    with pytest.raises(InvalidPath, match="neither a store basename"):
        store.is_valid("nothing-here")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidPath, match="not inside the store"):
        store.info("file")


def test_closure_follows_references(store: Store) -> None:
    c = store.add_text("c", "c")
    b = store.add_text("b", "b", references=[c])
    a = store.add_text("a", "a", references=[b])
    other = store.add_text("other", "o", references=[c])
    assert store.closure([a]) == sorted([a, b, c])
    assert store.closure([c]) == [c]
    assert store.closure([a, other]) == sorted([a, b, c, other])
    assert store.registry.referrers(c) == sorted([b, other])


def test_a_kept_closure_is_the_querys_and_ends_with_its_root(
    store: Store, pybuild_home: Path
) -> None:
    """This process keeps the closures of what it registered; another process, which kept
    none, finds the same by its query; a root it collects is not valid here either."""
    from pybuild.store.removal import unregister

    c = store.add_text("c", "c")
    b = store.add_text("b", "b", references=[c])
    a = store.add_text("a", "a", references=[b])
    elsewhere = Store(pybuild_home)
    try:
        assert elsewhere.registry._closures == {}
        assert store.registry._closures[a] == {a, b, c}
        assert store.closure([a, c]) == elsewhere.closure([a, c]) == sorted([a, b, c])
        assert unregister(elsewhere, [a])  # as its collector does
    finally:
        elsewhere.registry.close()
    with pytest.raises(PathNotValid):
        store.closure([a])
    assert store.closure([b]) == sorted([b, c])


def test_a_process_keeps_so_many_closures_and_then_asks(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybuild.store import registry

    monkeypatch.setattr(registry, "_KEPT_CLOSURES", 2)
    c = store.add_text("c", "c")
    b = store.add_text("b", "b", references=[c])
    a = store.add_text("a", "a", references=[b])
    assert set(store.registry._closures) == {b, c}
    assert store.closure([a]) == sorted([a, b, c])  # by the query


def test_path_info_json() -> None:
    from pybuild.store import PathInfo

    info = PathInfo("p", "sha256-x", 8, ("r",), "d.drv", 5, "source:y")
    assert info.to_json() == {
        "path": "p",
        "narHash": "sha256-x",
        "narSize": 8,
        "references": ["r"],
        "deriver": "d.drv",
        "registrationTime": 5,
        "ca": "source:y",
    }


# -- parse ------------------------------------------------------------------------------------


def test_parse_store_paths_and_sub_paths(store: Store, tmp_path: Path) -> None:
    name = store.add_path(make_tree(tmp_path))
    assert store.parse(store.path(name)) == name
    assert store.parse(str(store.path(name))) == name
    assert store.parse(store.path(name) / "sub" / "a") == name
    assert store.parse(f"{store.path(name)}/") == name


def test_parse_follows_result_links(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = store.add_path(make_tree(tmp_path))
    work = tmp_path / "work"
    work.mkdir()
    (work / "result").symlink_to(store.path(name))
    (work / "chain").symlink_to("result")
    monkeypatch.chdir(work)
    assert store.parse("result") == name
    assert store.parse(work / "result") == name
    assert store.parse("chain") == name


def test_parse_follows_links_when_the_home_path_has_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real-home"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    via_alias = Store(tmp_path / "alias")
    src = tmp_path / "f"
    src.write_text("x")
    name = via_alias.add_path(src)
    (tmp_path / "result").symlink_to(real / "store" / name)
    assert via_alias.parse(tmp_path / "result") == name
    via_alias.registry.close()


@pytest.mark.parametrize(
    "given",
    ["/etc/passwd", "relative/nowhere", "STORE", "STORE/not-a-store-path", "STORE/" + "e" * 32],
)
def test_parse_rejects_paths_that_are_not_store_paths(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.chdir(tmp_path)
    given = given.replace("STORE", str(store.dir))
    with pytest.raises(InvalidPath) as info:
        store.parse(given)
    assert info.value.path == given


def test_parse_rejects_a_link_out_of_the_store(store: Store, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InvalidPath, match="not inside the store"):
        store.parse(tmp_path / "link")


# -- references -------------------------------------------------------------------------------


def fake_hash(seed: str) -> str:
    """A valid-looking 32-character hash part."""
    return make_name("text", seed.encode().hex().ljust(64, "0")[:64], "x")[:HASH_LEN]


def test_scan_finds_hashes_in_contents_links_and_names(tmp_path: Path) -> None:
    in_file, in_link, in_name, absent = (fake_hash(s) for s in ("file", "link", "name", "gone"))
    root = tmp_path / "out"
    root.mkdir()
    (root / "script").write_text(f"exec /store/{in_file}-python/bin/python\n")
    (root / "lib").symlink_to(f"/store/{in_link}-lib/lib")
    (root / f"{in_name}-stamp").write_text("")
    digest, size, found = hash_and_scan(root, [in_file, in_link, in_name, absent])
    assert found == {in_file, in_link, in_name}
    assert (digest, size) == hash_path(root)


def test_scan_without_candidates_still_hashes(tmp_path: Path) -> None:
    root = tmp_path / "f"
    root.write_text(fake_hash("a"))
    assert hash_and_scan(root, []) == (*hash_path(root), set())


def test_scan_finds_a_hash_inside_a_longer_run_of_base32(tmp_path: Path) -> None:
    wanted = fake_hash("inside")
    root = tmp_path / "f"
    root.write_text(f"abc{wanted}xyz0123")
    assert hash_and_scan(root, [wanted])[2] == {wanted}
    root.chmod(0o644)
    root.write_text(f"abc{wanted[:-1]}-{wanted[-1]}")
    assert hash_and_scan(root, [wanted])[2] == set()


@pytest.mark.parametrize(
    "offset",
    [
        (1 << 20) - 16,
        (1 << 20) - 31,
        (1 << 20) - 1,
        (1 << 20) - 32,
        1 << 20,
        (2 << 20) - 20,
        (2 << 20) + 100 * 1024 - 32,
    ],
)
def test_scan_finds_a_hash_across_the_window_boundary(tmp_path: Path, offset: int) -> None:
    wanted, other = fake_hash("big"), fake_hash("small")
    data = bytearray(b"-" * ((2 << 20) + 100 * 1024))
    data[offset : offset + HASH_LEN] = wanted.encode()
    data[10 : 10 + HASH_LEN] = other.encode()
    root = tmp_path / "big"
    root.write_bytes(bytes(data))
    digest, size, found = hash_and_scan(root, [wanted, other, fake_hash("none")])
    assert found == {wanted, other}
    assert (digest, size) == hash_path(root)


# -- locks ------------------------------------------------------------------------------------


def lock_is_free(lock_dir: Path, name: str) -> bool:
    fd = os.open(lock_dir / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_path_locks_exclude_others_until_released(tmp_path: Path) -> None:
    locks = tmp_path / "locks"
    with path_locks(locks, ["b", "a", "a"]):
        assert not lock_is_free(locks, "a")
        assert not lock_is_free(locks, "b")
        assert lock_is_free(locks, "c")
    assert lock_is_free(locks, "a")
    assert lock_is_free(locks, "b")


def test_path_locks_are_released_on_error(tmp_path: Path) -> None:
    locks = tmp_path / "locks"
    with pytest.raises(RuntimeError), path_locks(locks, ["a"]):
        raise RuntimeError("boom")
    assert lock_is_free(locks, "a")


def test_lock_files_go_with_their_locks(tmp_path: Path) -> None:
    """As Nix's: var/locks does not keep a file for every path ever built."""
    locks = tmp_path / "locks"
    with path_locks(locks, ["a", "b"]):
        assert sorted(os.listdir(locks)) == ["a.lock", "b.lock"]
    assert os.listdir(locks) == []


def test_a_waiter_whose_lock_file_was_deleted_locks_the_new_one(tmp_path: Path) -> None:
    """The holder deletes the file as it lets go; a process that was waiting on it then holds
    a lock on a file no one else can open, so it must take the lock again on the path's new
    file, or a third process would take that one too and both would build."""
    locks = tmp_path / "locks"
    waiting, holding, done = threading.Event(), threading.Event(), threading.Event()
    told = []

    def waiter() -> None:
        with path_locks(locks, ["x"], on_wait=lambda name: (told.append(name), waiting.set())):
            holding.set()
            done.wait(10)

    with path_locks(locks, ["x"]):
        thread = threading.Thread(target=waiter)
        thread.start()
        assert waiting.wait(10)
    assert holding.wait(10)
    try:
        assert not lock_is_free(locks, "x")  # the path's new file: the waiter holds it
    finally:
        done.set()
        thread.join(10)
    assert told == ["x"]


def test_lock_of_a_killed_holder_is_released(tmp_path: Path) -> None:
    locks = tmp_path / "locks"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from pybuild.store.locks import path_locks\n"
        "with path_locks(Path(sys.argv[1]), ['held']):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(locks)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "locked\n"
        assert not lock_is_free(locks, "held")
    finally:
        proc.kill()
        proc.wait()
    assert lock_is_free(locks, "held")


# -- roots ------------------------------------------------------------------------------------


def test_result_link_and_indirect_root(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_text("x")
    name = store.add_path(src)
    link = add_result_link(store, tmp_path / "result", str(store.path(name)))
    assert link == tmp_path / "result"
    assert os.readlink(link) == str(store.path(name))
    [root] = list((store.gcroots_dir / "auto").iterdir())
    assert os.readlink(root) == str(link)
    other = store.add_text("other", "o")
    add_result_link(store, tmp_path / "result", str(store.path(other)))
    assert os.readlink(link) == str(store.path(other))
    assert len(list((store.gcroots_dir / "auto").iterdir())) == 1


def test_a_result_link_to_a_basename_names_its_path_in_the_store(
    store: Store, tmp_path: Path
) -> None:
    """A basename is what every Store API takes: the link is to its path, never dangling."""
    name = store.add_text("thing", "x")
    link = add_result_link(store, tmp_path / "result", name)
    assert os.readlink(link) == str(store.path(name))
    assert link.read_text() == "x"
    add_result_link(store, tmp_path / "via-link", link)  # a link into the store: its path
    assert os.readlink(tmp_path / "via-link") == str(store.path(name))


@pytest.mark.parametrize("target", ["/etc/passwd", "not-a-store-name"])
def test_a_result_link_to_what_is_not_in_the_store_is_refused(
    store: Store, tmp_path: Path, target: str
) -> None:
    with pytest.raises(InvalidPath):
        add_result_link(store, tmp_path / "result", target)
    assert not os.path.lexists(tmp_path / "result")


def test_result_link_does_not_replace_a_real_file(store: Store, tmp_path: Path) -> None:
    (tmp_path / "result").write_text("mine")
    with pytest.raises(UsageError, match="not a symbolic link"):
        add_result_link(store, tmp_path / "result", str(store.dir / "x"))
    assert (tmp_path / "result").read_text() == "mine"


# -- verify -----------------------------------------------------------------------------------


def test_verify_of_an_empty_and_a_healthy_store(store: Store, tmp_path: Path) -> None:
    assert list(store.verify(check_contents=True)) == []
    store.add_path(make_tree(tmp_path))
    store.add_text("t", "text")
    assert list(store.verify()) == []
    assert list(store.verify(check_contents=True)) == []


def test_verify_finds_modified_content(store: Store, tmp_path: Path) -> None:
    name = store.add_path(make_tree(tmp_path))
    file = store.path(name) / "sub" / "a"
    store.path(name).joinpath("sub").chmod(0o755)
    file.chmod(0o644)
    file.write_text("tampered")
    assert list(store.verify()) == []  # without re-hashing, a change is not seen
    [problem] = list(store.verify(check_contents=True))
    assert (problem.path, problem.kind) == (name, "modified")
    assert problem.is_damage
    assert store.info(name).nar_hash in problem.detail


def test_verify_sees_a_changed_exec_bit(store: Store, tmp_path: Path) -> None:
    name = store.add_path(make_tree(tmp_path))
    (store.path(name) / "run.sh").chmod(0o444)
    assert [p.kind for p in store.verify(check_contents=True)] == ["modified"]


def test_verify_finds_missing_paths(store: Store, tmp_path: Path) -> None:
    name = store.add_path(make_tree(tmp_path))
    kept = store.add_text("kept", "k")
    store.path(name).chmod(0o755)
    for sub in store.path(name).rglob("*"):
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(0o755)
    shutil.rmtree(store.path(name))
    assert list(store.verify()) == [
        Problem(name, "missing", "registered but absent from the store")
    ]
    assert store.is_valid(kept)


def test_verify_reports_leftovers_as_harmless(store: Store) -> None:
    store.add_text("t", "text")
    leftover = make_name("output:out", "99" * 32, "half")
    (store.path(leftover)).mkdir()
    [problem] = list(store.verify(check_contents=True))
    assert (problem.path, problem.kind) == (leftover, "unregistered")
    assert problem.detail == (
        "left over from an interrupted build or collection; the next gc removes it"
    )
    assert not problem.is_damage


def test_moved_home_keeps_working(tmp_path: Path) -> None:
    old = Store(tmp_path / "old")
    tree = make_tree(tmp_path)
    name = old.add_path(tree)
    text = old.add_text("t", "text", references=[name])
    old.registry.close()
    shutil.move(tmp_path / "old", tmp_path / "new")
    new = Store(tmp_path / "new")
    assert new.is_valid(name)
    assert new.info(text).references == (name,)
    assert list(new.verify(check_contents=True)) == []
    assert new.add_path(tree) == name
    new.registry.close()


def test_processes_opening_a_new_store_at_once_all_get_it(tmp_path: Path) -> None:
    """The first switch of a new database to WAL fails at once in a second process that asks
    at the same moment (SQLite does not wait there); the processes must take turns."""
    probe = (
        "import sys; from pathlib import Path; from pybuild.store.registry import Registry;"
        " Registry(Path(sys.argv[1])).is_valid('x')"
    )
    for trial in range(15):
        db = tmp_path / f"home{trial}" / "var" / "db.sqlite"
        procs = [
            subprocess.Popen([sys.executable, "-c", probe, str(db)], stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        stderrs = [p.communicate()[1].decode() for p in procs]
        failed = [err for p, err in zip(procs, stderrs, strict=True) if p.returncode != 0]
        assert failed == [], failed[0]


def test_closure_of_a_path_not_valid_names_it(store: Store) -> None:
    """The closure is one query; a name it does not find is still refused by its path."""
    a = store.add_text("a", "a")
    gone = "0" * 32 + "-gone"
    with pytest.raises(PathNotValid) as caught:
        store.closure([a, gone])
    assert caught.value.path == str(store.path(gone))


def test_a_batch_is_registered_whole_or_not_at_all(store: Store) -> None:
    """A batch's references are checked by one query a 500: those inside the batch or valid
    already are accepted (more than one query names), and the first that is neither is
    refused by name, leaving none of the batch registered."""
    valid = [store.add_text(f"v{i}", str(i)) for i in range(600)]
    names = [make_name("output:out", f"{i:02x}" * 32, f"p{i}") for i in range(3)]
    infos = [
        PathInfo(names[0], "sha256:" + "0" * 64, 1, (names[1], *valid)),
        PathInfo(names[1], "sha256:" + "1" * 64, 1, (names[2],)),
        PathInfo(names[2], "sha256:" + "2" * 64, 1),
    ]
    gone = make_name("output:out", "ee" * 32, "gone")
    broken = PathInfo(make_name("output:out", "dd" * 32, "q"), "sha256:" + "3" * 64, 1, (gone,))
    with pytest.raises(PathNotValid) as caught:
        store.registry.register([*infos, broken])
    assert caught.value.path == gone
    assert not any(store.is_valid(n) for n in names)
    store.registry.register(infos)
    assert store.registry.info(names[0]).references == tuple(sorted([names[1], *valid]))
    assert store.closure([names[0]]) == sorted([*names, *valid])


def test_closure_of_a_long_chain_and_many_roots(store: Store) -> None:
    """A chain deeper than SQLite's recursion needs no limit, and more roots than one query
    may name are taken in parts."""
    names: list[str] = []
    for i in range(40):
        names.append(store.add_text(f"n{i}", f"{i} {names[-1] if names else ''}", names[-1:]))
    assert store.closure([names[-1]]) == sorted(names)
    many = store.add_texts([(f"m{i}", str(i), []) for i in range(1200)])
    assert store.closure([*many, names[0]]) == sorted([*many, names[0]])


TEXTS_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from pybuild.store import Store
print(Store(sys.argv[2]).add_texts([("note", "kept", [])])[0], *sorted(sys.modules))
"""


def test_adding_texts_loads_neither_tempfile_nor_shutil(store: Store) -> None:
    """A new environment's .drv is added this way: tempfile imports shutil, which loads zlib,
    bz2 and lzma (the probe runs without ``site``, which may load them itself)."""
    root = str(Path(__file__).resolve().parent.parent)
    probe = [sys.executable, "-S", "-c", TEXTS_PROBE, root, str(store.home)]
    name, *loaded = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.split()
    assert store.is_valid(name) and store.path(name).read_text() == "kept"
    assert sorted({"tempfile", "shutil", "lzma"} & set(loaded)) == []
    assert os.listdir(store.tmp_dir) == []  # its working folder removed, without shutil


def test_a_threads_registry_connection_is_closed_in_it_when_it_ends_and_at_exit(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection left to the collector is a ResourceWarning from Python 3.13 (``unclosed
    database``), printed at exit by ``-X dev``; SQLite wants it closed by its own thread."""
    opened_in, closed_in = [], []
    close = registry._Connection.close

    def closing(conn: registry._Connection) -> None:
        closed_in.append(threading.get_ident())
        close(conn)

    def opening() -> None:
        store.registry.open()
        opened_in.append(threading.get_ident())

    monkeypatch.setattr(registry._Connection, "close", closing)
    worker = threading.Thread(target=opening)
    worker.start()
    worker.join()
    assert closed_in == opened_in
    root = str(Path(__file__).resolve().parent.parent)
    code = f"import sys; sys.path.insert(0, {root!r}); from pybuild.store import Store; "
    code += f"print(Store({str(store.home)!r}).is_valid({'0' * HASH_LEN + '-x'!r}))"
    probe = [sys.executable, "-X", "dev", "-c", code]
    shown = subprocess.run(probe, capture_output=True, text=True, check=True)
    assert shown.stdout == "False\n" and shown.stderr == ""


def test_add_path_of_a_folder_holding_the_home_is_refused(tmp_path: Path) -> None:
    """``PYBUILD_HOME=./.pybuild`` and ``pybuild add .`` crashed with RecursionError: the copy
    was made inside what it copied. It is refused, unless a filter leaves the home out."""
    project = tmp_path / "proj"
    (project / "src").mkdir(parents=True)
    (project / "src" / "a.py").write_text("A = 1\n")
    store = Store(project / ".pybuild")
    try:
        with pytest.raises(InvalidPath, match="holds this pybuild home"):
            store.add_path(project)
        name = store.add_path(project, keep=lambda path: os.path.basename(path) != ".pybuild")
        assert os.listdir(store.path(name)) == ["src"]
    finally:
        store.registry.close()
