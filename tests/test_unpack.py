"""The in-build unpacker: sdists unpack, and no hostile archive writes outside its destination.

Every hostile archive is built here with tarfile or zipfile. Each refusal is checked the same
way (:func:`refused`): :class:`UnsafeArchive` naming the archive and the member, the
destination left empty, and nothing new anywhere in the test's folder outside it.
"""

from __future__ import annotations

import ast
import bz2
import copy
import gzip
import io
import lzma
import os
import stat
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pybuild.python.builder import unpack as unpack_module
from pybuild.python.builder.unpack import DEFAULT_MTIME, UnsafeArchive, unpack

MiB = 1 << 20


@dataclass(frozen=True)
class Place:
    top: Path  # the test's folder: nothing may appear in it but in dest
    archives: Path
    dest: Path  # top/work/build/dest, empty
    outside: Path  # top/work/outside: a folder outside dest that links aim at


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Place:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    archives = tmp_path / "archives"
    archives.mkdir()
    dest = tmp_path / "work" / "build" / "dest"
    dest.mkdir(parents=True)
    outside = tmp_path / "work" / "outside"
    outside.mkdir()
    return Place(tmp_path, archives, dest, outside)


@pytest.fixture(params=["all checks", "no data filter"])
def checks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test with every check, then without ``tarfile.data_filter``: the module's own
    checks must refuse on their own, the filter being only an extra layer."""
    if request.param == "no data filter":
        monkeypatch.setattr(unpack_module, "_DATA_FILTER", None)


# --- building archives ----------------------------------------------------------------------


def member(
    name: str,
    data: bytes = b"",
    *,
    kind: bytes = tarfile.REGTYPE,
    mode: int = 0o644,
    target: str = "",
) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = target
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mtime = 1_700_000_000
    info.uid = info.gid = 4321
    info.uname = info.gname = "stranger"
    return info, data


def folder(name: str, mode: int = 0o755) -> tuple[tarfile.TarInfo, bytes]:
    return member(name, kind=tarfile.DIRTYPE, mode=mode)


def symlink(name: str, target: str) -> tuple[tarfile.TarInfo, bytes]:
    return member(name, kind=tarfile.SYMTYPE, mode=0o777, target=target)


def hardlink(name: str, target: str) -> tuple[tarfile.TarInfo, bytes]:
    return member(name, kind=tarfile.LNKTYPE, target=target)


COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "": bytes,
}


def make_tar(
    path: Path, members: list[tuple[tarfile.TarInfo, bytes]], compression: str = "gz"
) -> Path:
    tar_stream = io.BytesIO()
    with tarfile.open(fileobj=tar_stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    path.write_bytes(COMPRESS[compression](tar_stream.getvalue()))
    return path


def make_zip(path: Path, members: list[tuple[str, bytes, int | None]]) -> Path:
    """``members``: (name, content, unix mode with its file type, or None for none)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10))
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is None:  # as Windows writes it: only the MS-DOS "archive" attribute
                info.create_system = 0
                info.external_attr = 0x20
            else:
                info.create_system = 3
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


class Zeros(io.RawIOBase):
    """``size`` zero bytes, made as they are read; endless when ``size`` is None."""

    def __init__(self, size: int | None = None) -> None:
        self.left = size
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = len(buffer) if self.left is None else min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        if self.left is not None:
            self.left -= count
        self.served += count
        return count


def snapshot(top: Path) -> set[str]:
    """Every path under ``top`` (links not followed), relative to it."""
    found = set()
    for folder_path, folders, files in os.walk(top):
        for name in folders + files:
            found.add(os.path.relpath(os.path.join(folder_path, name), top))
    return found


def refused(place: Place, archive: Path, **limits: int) -> UnsafeArchive:
    """Unpack ``archive``, expecting a refusal that left no trace anywhere."""
    before = snapshot(place.top)
    with pytest.raises(UnsafeArchive) as caught:
        unpack(archive, place.dest, **limits)
    assert list(place.dest.iterdir()) == []
    assert snapshot(place.top) == before
    assert str(archive) in str(caught.value)
    assert caught.value.archive == archive
    return caught.value


def all_paths(root: Path) -> Iterator[Path]:
    yield root
    for folder_path, folders, files in os.walk(root):
        for name in folders + files:
            yield Path(folder_path, name)


# --- archives that unpack -------------------------------------------------------------------


SDIST = [
    folder("pkg-1.0"),
    member("pkg-1.0/PKG-INFO", b"Metadata-Version: 2.1\nName: pkg\n"),
    member("pkg-1.0/run.sh", b"#!/bin/sh\necho hi\n", mode=0o755),
    member("pkg-1.0/src/pkg/__init__.py", b"VALUE = 1\n"),  # its folders have no members
]


def test_a_sdist_unpacks_to_its_top_folder(place: Place) -> None:
    archive = make_tar(place.archives / "pkg-1.0.tar.gz", SDIST)

    root = unpack(archive, place.dest)

    assert root == place.dest / "pkg-1.0"
    assert (root / "PKG-INFO").read_bytes() == b"Metadata-Version: 2.1\nName: pkg\n"
    assert (root / "src" / "pkg" / "__init__.py").read_text() == "VALUE = 1\n"
    assert stat.S_IMODE((root / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((root / "PKG-INFO").stat().st_mode) == 0o644
    assert stat.S_IMODE((root / "src" / "pkg").stat().st_mode) == 0o755
    for path in all_paths(root):
        assert path.lstat().st_mtime == DEFAULT_MTIME, path
        assert path.lstat().st_uid == os.getuid(), path  # never the archive's 4321


def test_times_come_from_source_date_epoch(place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    archive = make_tar(place.archives / "pkg-1.0.tar.gz", SDIST)

    root = unpack(archive, place.dest)

    assert {path.lstat().st_mtime for path in all_paths(root)} == {1234567890}


@pytest.mark.parametrize(
    ("compression", "name"),
    [
        ("gz", "pkg-1.0.tgz"),
        ("bz2", "pkg-1.0.tar.bz2"),
        ("xz", "pkg-1.0.tar.xz"),
        ("", "pkg-1.0.tar"),
        ("gz", "download"),  # no suffix: told by content
        ("xz", "pkg.bin"),
        ("", "pkg.bin"),
    ],
)
def test_every_tar_compression_unpacks(place: Place, compression: str, name: str) -> None:
    archive = make_tar(place.archives / name, SDIST, compression)

    root = unpack(archive, place.dest)

    assert root == place.dest / "pkg-1.0"
    assert (root / "run.sh").read_bytes() == b"#!/bin/sh\necho hi\n"


@pytest.mark.parametrize("name", ["pkg-1.0.zip", "pkg-1.0.download"])
def test_a_zip_sdist_unpacks(place: Place, name: str) -> None:
    archive = make_zip(
        place.archives / name,
        [
            ("pkg-1.0/", b"", stat.S_IFDIR | 0o755),
            ("pkg-1.0/setup.py", b"from setuptools import setup\n", stat.S_IFREG | 0o644),
            ("pkg-1.0/bin/tool", b"#!/bin/sh\n", stat.S_IFREG | 0o4775),
            ("pkg-1.0\\docs\\index.txt", b"docs\n", None),  # written on Windows
        ],
    )

    root = unpack(archive, place.dest)

    assert root == place.dest / "pkg-1.0"
    assert (root / "setup.py").read_text() == "from setuptools import setup\n"
    assert (root / "docs" / "index.txt").read_text() == "docs\n"
    assert stat.S_IMODE((root / "bin" / "tool").stat().st_mode) == 0o755
    assert stat.S_IMODE((root / "docs" / "index.txt").stat().st_mode) == 0o644
    assert {path.lstat().st_mtime for path in all_paths(root)} == {DEFAULT_MTIME}


@pytest.mark.parametrize(
    "members",
    [
        [member("a/x", b"1"), member("b/y", b"2")],
        [member("only-a-file.txt", b"1")],
        [member("pkg/x", b"1"), member("README", b"2")],
        [symlink("pkg", "real"), member("real/x", b"1")],
    ],
)
def test_without_a_single_top_folder_the_root_is_dest(
    place: Place, members: list[tuple[tarfile.TarInfo, bytes]]
) -> None:
    archive = make_tar(place.archives / "flat.tar.gz", members)

    assert unpack(archive, place.dest) == place.dest
    assert snapshot(place.dest)


def test_links_inside_the_destination_are_kept(place: Place) -> None:
    archive = make_tar(
        place.archives / "links.tar.gz",
        [
            member("pkg/README", b"read me\n"),
            symlink("pkg/docs/README", "../README"),
            symlink("pkg/self", "."),
            symlink("pkg/up", ".."),  # dest itself: inside
            symlink("pkg/chain", "self/docs/README"),
            symlink("pkg/dangling", "not/there"),
            hardlink("pkg/copy", "pkg/README"),
        ],
    )

    root = unpack(archive, place.dest)

    assert os.readlink(root / "docs" / "README") == "../README"
    assert (root / "docs" / "README").read_text() == "read me\n"
    assert (root / "chain").read_text() == "read me\n"
    assert (root / "up").resolve() == place.dest.resolve()
    assert (root / "dangling").is_symlink()
    assert (root / "copy").read_text() == "read me\n"
    assert not (root / "copy").is_symlink()


def test_a_zip_symlink_is_a_link(place: Place) -> None:
    archive = make_zip(
        place.archives / "links.zip",
        [
            ("pkg/a.txt", b"a\n", stat.S_IFREG | 0o644),
            ("pkg/b.txt", b"a.txt", stat.S_IFLNK | 0o777),
        ],
    )

    root = unpack(archive, place.dest)

    assert os.readlink(root / "b.txt") == "a.txt"


def test_modes_lose_setuid_setgid_sticky_and_group_or_other_write(place: Place) -> None:
    archive = make_tar(
        place.archives / "modes.tar.gz",
        [
            member("pkg/setuid", b"x", mode=0o4755),
            member("pkg/setgid", b"x", mode=0o2777),
            member("pkg/writable", b"x", mode=0o666),
            member("pkg/read-only", b"x", mode=0o444),
            member("pkg/owner-exec", b"x", mode=0o700),
            folder("pkg/sticky", mode=0o1777),
            folder("pkg/closed", mode=0o500),
        ],
    )

    root = unpack(archive, place.dest)

    def mode(name: str) -> int:
        return stat.S_IMODE((root / name).stat().st_mode)

    assert mode("setuid") == 0o755
    assert mode("setgid") == 0o755
    assert mode("writable") == 0o644
    assert mode("read-only") == 0o644
    assert mode("owner-exec") == 0o700
    assert mode("sticky") == 0o755
    assert mode("closed") == 0o700


def test_the_last_of_two_files_with_one_name_wins(place: Place) -> None:
    archive = make_tar(
        place.archives / "twice.tar.gz", [member("pkg/x", b"first"), member("pkg/x", b"second")]
    )

    root = unpack(archive, place.dest)

    assert (root / "x").read_bytes() == b"second"


def test_limits_that_are_met_exactly_pass(place: Place) -> None:
    members = [member(f"pkg/{i}", bytes(100)) for i in range(9)]  # 10 members, with pkg/
    archive = make_tar(place.archives / "exact.tar.gz", [folder("pkg"), *members])

    assert unpack(archive, place.dest, max_members=10, max_size=900) == place.dest / "pkg"


# --- archives that are refused --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil", "'..' component"),
        ("a/../../evil", "'..' component"),
        ("pkg/../../../evil", "'..' component"),
        ("..", "'..' component"),
        ("pkg\\..\\..\\..\\evil", "'..' component"),
        ("{abs}", "absolute path"),
        ("/abs/path", "absolute path"),
        ("C:/evil", "drive"),
        ("pkg/" + "n" * 120 + "\0/../evil", "NUL byte"),  # a pax name keeps the NUL
    ],
)
def test_tar_names_that_leave_dest_are_refused(
    place: Place, checks: None, name: str, reason: str
) -> None:
    name = name.replace("{abs}", str(place.top / "work" / "abs-evil"))
    archive = make_tar(
        place.archives / "names.tar.gz", [member("pkg/fine.txt", b"ok"), member(name, b"evil")]
    )

    error = refused(place, archive)

    assert error.member == name
    assert reason in error.reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..\\evil", "'..' component"),
        ("pkg\\..\\..\\..\\evil", "'..' component"),
        ("a/../../evil", "'..' component"),
        ("/abs/path", "absolute path"),
        ("\\abs\\path", "absolute path"),
        ("C:\\evil", "drive"),
    ],
)
def test_zip_names_that_leave_dest_are_refused(place: Place, name: str, reason: str) -> None:
    archive = make_zip(
        place.archives / "names.zip", [("pkg/fine.txt", b"ok", None), (name, b"evil", None)]
    )

    error = refused(place, archive)

    assert error.member == name
    assert reason in error.reason


ESCAPING_LINKS = {
    "absolute target": ([symlink("pkg/passwd", "/etc/passwd")], "pkg/passwd", "absolute"),
    "relative target outside": (
        [symlink("pkg/out", "../../outside")],
        "pkg/out",
        "outside the destination",
    ),
    "escape through another link": (
        [symlink("a", "."), symlink("b", "a/..")],
        "b",
        "outside the destination",
    ),
    "escape through two links": (
        [folder("sub"), symlink("a", "sub"), symlink("sub/b", ".."), symlink("c", "a/b/..")],
        "c",
        "outside the destination",
    ),
    "link loop": ([symlink("a", "b"), symlink("b", "a")], "a", "more than 40 links"),
    "written through a link to outside": (
        [symlink("link", "../../outside"), member("link/pwned", b"pwned")],
        "link/pwned",
        "through the symbolic link 'link'",
    ),
    "written through an absolute link": (
        [symlink("abs", "{outside}"), member("abs/pwned", b"pwned")],
        "abs",
        "absolute path",
    ),
    "written through a link inside": (
        [folder("pkg/sub"), symlink("pkg/link", "sub"), member("pkg/link/pwned", b"pwned")],
        "pkg/link/pwned",
        "through the symbolic link 'pkg/link'",
    ),
    "link made after a file below it": (
        [member("link/pwned", b"pwned"), symlink("link", "../../outside")],
        "link",
        "same name as an earlier folder",
    ),
    "link replacing a file": (
        [member("pkg/x", b"x"), symlink("pkg/x", "../../../outside")],
        "pkg/x",
        "same name as an earlier file",
    ),
    "hard link outside": (
        [hardlink("pkg/secret", "../outside/secret")],
        "pkg/secret",
        "'..' component",
    ),
    "hard link to an absolute path": (
        [hardlink("pkg/passwd", "/etc/passwd")],
        "pkg/passwd",
        "absolute path",
    ),
    "hard link to a later member": (
        [hardlink("pkg/early", "pkg/late"), member("pkg/late", b"x")],
        "pkg/early",
        "not an earlier file",
    ),
    "hard link to a symbolic link": (
        [symlink("pkg/l", "../../../outside"), hardlink("pkg/h", "pkg/l")],
        "pkg/h",
        "not an earlier file",
    ),
    "member below a file": (
        [member("pkg/file", b"x"), member("pkg/file/below", b"y")],
        "pkg/file/below",
        "inside the file 'pkg/file'",
    ),
}


@pytest.mark.parametrize("case", ESCAPING_LINKS)
def test_links_that_leave_dest_are_refused(place: Place, checks: None, case: str) -> None:
    members, culprit, reason = ESCAPING_LINKS[case]
    members = [(copy.copy(info), data) for info, data in members]
    for info, _ in members:
        info.linkname = info.linkname.replace("{outside}", str(place.outside))
    archive = make_tar(place.archives / "links.tar.gz", [member("pkg/fine.txt", b"ok"), *members])

    error = refused(place, archive)

    assert error.member == culprit
    assert reason in error.reason
    assert list(place.outside.iterdir()) == []


@pytest.mark.parametrize(
    "case",
    ["relative target outside", "escape through another link", "escape through two links"],
)
@pytest.mark.parametrize("layer", ["archive model", "disk"])
def test_each_link_check_alone_refuses_an_escape(
    place: Place, monkeypatch: pytest.MonkeyPatch, case: str, layer: str
) -> None:
    monkeypatch.setattr(unpack_module, "_DATA_FILTER", None)
    other = "check_link_on_disk" if layer == "archive model" else "check_link"
    monkeypatch.setattr(unpack_module._Extractor, other, lambda *args: None)
    members, culprit, _ = ESCAPING_LINKS[case]
    archive = make_tar(place.archives / "links.tar.gz", members)

    assert refused(place, archive).member == culprit


@pytest.mark.parametrize(
    ("target", "reason"), [("../../../outside", "outside the destination"), ("/etc", "absolute")]
)
def test_zip_links_that_leave_dest_are_refused(place: Place, target: str, reason: str) -> None:
    archive = make_zip(
        place.archives / "links.zip", [("pkg/out", target.encode(), stat.S_IFLNK | 0o777)]
    )

    assert reason in refused(place, archive).reason


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        (tarfile.CHRTYPE, "character device"),
        (tarfile.BLKTYPE, "block device"),
        (tarfile.FIFOTYPE, "fifo"),
    ],
)
def test_special_tar_members_are_refused(
    place: Place, checks: None, kind: bytes, what: str
) -> None:
    archive = make_tar(
        place.archives / "special.tar.gz",
        [member("pkg/fine.txt", b"ok"), member("pkg/special", kind=kind)],
    )

    error = refused(place, archive)

    assert error.member == "pkg/special"
    assert what in error.reason


def test_special_zip_members_are_refused(place: Place) -> None:
    archive = make_zip(place.archives / "fifo.zip", [("pkg/fifo", b"", stat.S_IFIFO | 0o644)])

    assert "fifo" in refused(place, archive).reason


def test_a_decompression_bomb_fails_fast(place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = place.archives / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("pkg/zeros")
        info.size = 64 * MiB
        tar.addfile(info, Zeros(64 * MiB))
    assert archive.stat().st_size < MiB
    decompressed = 0
    read = gzip._GzipReader.read  # every decompressed byte goes through it, seeks included

    def counting_read(self: gzip._GzipReader, size: int = -1) -> bytes:
        nonlocal decompressed
        data = read(self, size)
        decompressed += len(data)
        return data

    monkeypatch.setattr(gzip._GzipReader, "read", counting_read)

    error = refused(place, archive, max_size=MiB)

    assert error.member == "pkg/zeros"
    assert "limit of 1048576 bytes" in error.reason
    assert decompressed < 2 * MiB


def test_a_zip_bomb_is_refused(place: Place) -> None:
    archive = place.archives / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zip_file:
        with zip_file.open("pkg/zeros", "w") as out:
            for _ in range(16):
                out.write(bytes(MiB))
        zip_file.writestr("pkg/after", b"x")

    error = refused(place, archive, max_size=MiB)

    assert error.member == "pkg/zeros"


def test_a_header_that_lies_about_its_size_cannot_write_past_the_limit(
    place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_tar(place.archives / "liar.tar.gz", [member("pkg/liar", b"tiny")])
    endless = Zeros(8 * MiB)  # "endless": a broken limit shows as a success, not a full disk
    on_disk: list[int] = []
    read = endless.read

    def watched_read(size: int = -1) -> bytes:
        files = [path for path in all_paths(place.dest) if path.is_file()]
        on_disk.append(sum(path.stat().st_size for path in files))
        return read(size)

    endless.read = watched_read  # type: ignore[method-assign]
    monkeypatch.setattr(tarfile.TarFile, "extractfile", lambda self, info: endless)

    error = refused(place, archive, max_size=MiB)

    assert error.member == "pkg/liar"
    assert "more than the limit" in error.reason
    assert max(on_disk) <= MiB
    assert endless.served <= MiB + unpack_module._CHUNK


def test_the_total_size_counts_every_file(place: Place) -> None:
    archive = make_tar(
        place.archives / "big.tar.gz", [member(f"pkg/{i}", bytes(400 * 1024)) for i in range(3)]
    )

    error = refused(place, archive, max_size=MiB)

    assert error.member == "pkg/2"  # two files were written, then removed


def test_too_many_members_are_refused(place: Place) -> None:
    archive = make_tar(
        place.archives / "many.tar.gz", [member(f"pkg/{i}", b"x") for i in range(11)]
    )

    error = refused(place, archive, max_members=10)

    assert error.member == "pkg/10"


def test_too_many_zip_members_are_refused(place: Place) -> None:
    archive = make_zip(place.archives / "many.zip", [(f"pkg/{i}", b"x", None) for i in range(11)])

    assert refused(place, archive, max_members=10).member == "pkg/10"


def test_a_huge_header_block_is_refused(place: Place) -> None:
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type = tarfile.XHDTYPE
    pax.size = 100 * MiB  # tarfile would read it whole, into memory
    archive = place.archives / "pax.tar"
    archive.write_bytes(pax.tobuf(tarfile.USTAR_FORMAT) + bytes(1024))

    error = refused(place, archive)

    assert error.member is None
    assert "header block" in error.reason


@pytest.mark.parametrize(
    "content", [b"", b"this is no archive, only text\n" * 40, b"\x1f\x8b\x08\x00garbage"]
)
def test_what_is_not_an_archive_is_refused(place: Place, content: bytes) -> None:
    archive = place.archives / "thing"
    archive.write_bytes(content)

    refused(place, archive)


def test_a_truncated_archive_is_refused_and_cleaned_up(place: Place) -> None:
    whole = make_tar(
        place.archives / "whole.tar",
        [member("pkg/a", bytes(range(256)) * 40), member("pkg/b", bytes(range(256)) * 40)],
        "",
    )
    archive = place.archives / "cut.tar"
    archive.write_bytes(whole.read_bytes()[: 512 * 25])  # pkg/a whole, pkg/b cut short

    error = refused(place, archive)

    assert "cannot be read" in error.reason


def test_the_destination_must_be_an_empty_folder(place: Place) -> None:
    archive = make_tar(place.archives / "pkg-1.0.tar.gz", SDIST)
    (place.dest / "mine").write_text("keep me")

    with pytest.raises(OSError, match="not empty"):
        unpack(archive, place.dest)
    with pytest.raises(FileNotFoundError):
        unpack(archive, place.dest / "missing")

    assert snapshot(place.dest) == {"mine"}
    assert (place.dest / "mine").read_text() == "keep me"


def test_the_message_names_archive_member_and_reason(place: Place) -> None:
    archive = make_tar(place.archives / "evil.tar.gz", [member("../evil", b"x")])

    error = refused(place, archive)

    assert str(error) == f"refusing to unpack {archive}: member '../evil' has a '..' component"


def test_the_module_imports_only_the_standard_library() -> None:
    source = Path(unpack_module.__file__).read_text()
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports: the builder folder stands alone"
            imported.add((node.module or "").split(".")[0])

    assert imported
    assert imported <= sys.stdlib_module_names | {"__future__"}
