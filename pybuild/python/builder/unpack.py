"""Unpack a source archive into an empty build folder, refusing anything that could escape it.

Sdists and other source archives come from the network, so whoever made one chooses every
member name, link target, file type, permission and size in it. Whatever it holds, unpacking
must never write outside the build folder, so :func:`unpack` checks each member *before* writing
it, and refuses the whole archive (raising :class:`UnsafeArchive`, with ``dest`` left empty) if:

- a member's name is absolute, starts with a drive, has a ``..`` component or a NUL byte
  (backslashes in zip names are separators, as the tools that write them mean them);
- a symbolic link's target is absolute, or resolves outside ``dest`` (following the archive's
  other links); a hard link's target (named from the archive's root, as tar does) is anything
  but an earlier file of the archive; or a member would be written through a link or inside a
  file, or would take the name of an earlier member of another kind;
- a member is a device, a fifo or anything else but a file, a folder or a link;
- there are more than ``max_members`` members, or more than ``max_size`` bytes of content:
  declared sizes are summed before each file is written, and the bytes actually written (and
  the decompressed stream read) are counted while streaming, so neither a lying header nor a
  decompression bomb gets past the limit;
- the archive cannot be read (corrupt, truncated, encrypted).

What is written is normalised: no setuid, setgid or sticky bits and no group or other write
permission (the owner's bits are kept, executable included, and the owner may always read and
write, so a build can patch its sources); no owners from the archive; every time stamp is
``$SOURCE_DATE_EPOCH`` (1980-01-01 when unset, as in Nix).

This module runs inside builds, copied to the store with the rest of the builder, so it imports
only the standard library. It does not rely on ``tarfile``'s extraction filters (not in every
3.11 release): the checks are its own, and ``tarfile.data_filter``, where present, is consulted
only as one more check on tar members.

Example::

    >>> import io, tarfile
    >>> with tarfile.open("demo-1.0.tar.gz", "w:gz") as tar:
    ...     info = tarfile.TarInfo("demo-1.0/demo.py")
    ...     info.size = 6
    ...     tar.addfile(info, io.BytesIO(b"X = 1\\n"))
    >>> Path("unpacked").mkdir()
    >>> source = unpack(Path("demo-1.0.tar.gz"), Path("unpacked"))
    >>> source.name, sorted(p.name for p in source.iterdir())
    ('demo-1.0', ['demo.py'])
"""

from __future__ import annotations

import bz2
import errno
import functools
import gzip
import io
import lzma
import os
import re
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

__all__ = ["DEFAULT_MTIME", "UnsafeArchive", "unpack"]

DEFAULT_MTIME = 315532800
"""1980-01-01T00:00:00Z: every unpacked time stamp when ``$SOURCE_DATE_EPOCH`` is unset."""

_CHUNK = 1 << 20  # bytes copied per read and write
_MAX_HEADER_READ = 16 << 20  # one read of the tar stream: data comes in chunks, headers are small
_HEADER_ALLOWANCE = 4096  # decompressed bytes allowed per member for headers and padding
_MAX_LINK_HOPS = 40  # as Linux's MAXSYMLINKS
_MAX_LINK_TARGET = 4096  # as PATH_MAX
_ZIP_SUFFIXES = (".zip", ".whl")
_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar")
_DRIVE = re.compile(r"[A-Za-z]:")
_NOUNS = {"file": "file", "dir": "folder", "symlink": "symbolic link", "hardlink": "hard link"}
_CREATE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_DATA_FILTER: Callable[[tarfile.TarInfo, str], object] | None = getattr(
    tarfile, "data_filter", None
)
_READ_ERRORS = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,  # gzip.BadGzipFile, bz2's "Invalid data stream", a failing disk
    RuntimeError,  # zipfile: "File ... is encrypted, password required"
    NotImplementedError,  # zipfile: an unsupported compression method
)


class UnsafeArchive(Exception):
    """An archive :func:`unpack` refused: it could escape ``dest``, is too big or is unreadable.

    ``archive`` is the archive's path, ``member`` the offending member's name as the archive
    spells it (``None`` when the fault is the archive's as a whole) and ``reason`` says why.
    """

    def __init__(self, archive: Path | str, member: str | None, reason: str) -> None:
        self.archive = Path(archive)
        self.member = member
        self.reason = reason
        where = "" if member is None else f"member {member!r} "
        super().__init__(f"refusing to unpack {self.archive}: {where}{reason}")


def unpack(
    archive: Path, dest: Path, *, max_size: int = 4 << 30, max_members: int = 200_000
) -> Path:
    """Unpack ``archive`` into the empty folder ``dest`` and return the source root.

    The archive is a tar (plain, gzip, bzip2 or xz) or a zip, told by its suffix or, when the
    suffix is unknown, by its content. The source root is the archive's single top-level folder
    when it has exactly one (as sdists do), else ``dest``. Raises :class:`UnsafeArchive` (and
    leaves ``dest`` empty) for an archive that could escape ``dest`` or exceeds ``max_size``
    bytes or ``max_members`` members; ``FileNotFoundError``, ``NotADirectoryError`` or an
    ``OSError`` (``ENOTEMPTY``) when ``dest`` is missing, not a folder or not empty.
    """
    archive = Path(archive)
    dest = Path(dest)
    if not dest.exists():
        raise FileNotFoundError(errno.ENOENT, "unpack destination does not exist", str(dest))
    if not dest.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "unpack destination is not a folder", str(dest))
    if any(dest.iterdir()):
        raise OSError(errno.ENOTEMPTY, "unpack destination is not empty", str(dest))
    root = Path(os.path.realpath(dest))
    extractor = _Extractor(archive, root, max_size, max_members, _fixed_mtime())
    try:
        with _open_members(archive, max_size, max_members) as members:
            for member in members:
                extractor.add(member)
        extractor.finish()
    except BaseException as exc:
        try:
            _empty(root)
        except OSError as cleanup:
            exc.add_note(f"and {dest} could not be emptied: {cleanup}")
        raise
    entries = list(root.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return dest / entries[0].name
    return dest


@dataclass(frozen=True)
class _Member:
    """One archive member, whatever the format."""

    name: str  # as the archive spells it, for messages
    kind: str  # "file", "dir", "symlink", "hardlink", or what else it is (refused)
    size: int  # declared size of a file's content
    mode: int | None  # permission bits, None when the archive has none
    target: str  # a link's target
    backslash_separates: bool  # zip names: a backslash is a separator
    open: Callable[[], IO[bytes] | None] | None = None  # a file's content
    extra_check: Callable[[str], object] | None = None  # tarfile.data_filter, given dest


class _Extractor:
    """Writes members into ``root`` one by one, each checked first; symbolic links come last."""

    def __init__(
        self, archive: Path, root: Path, max_size: int, max_members: int, mtime: int
    ) -> None:
        self.archive = archive
        self.root = root
        self.max_size = max_size
        self.max_members = max_members
        self.mtime = mtime
        self.kinds: dict[tuple[str, ...], str] = {}  # every path written or to be linked
        self.dir_modes: dict[tuple[str, ...], int] = {}
        self.real_dirs: set[tuple[str, ...]] = {()}  # checked: real folders, not links
        self.links: dict[tuple[str, ...], _Member] = {}  # symbolic links, made in finish()
        self.count = 0
        self.declared = 0
        self.written = 0

    def refuse(self, member: _Member, reason: str) -> NoReturn:
        raise UnsafeArchive(self.archive, member.name, reason)

    def add(self, member: _Member) -> None:
        self.count += 1
        if self.count > self.max_members:
            self.refuse(member, f"is past the limit of {self.max_members} members")
        try:
            parts = _split(member.name, backslash_separates=member.backslash_separates)
        except ValueError as exc:
            self.refuse(member, str(exc))
        if not parts:
            if member.kind == "dir":
                return
            self.refuse(member, "names the destination folder itself")
        if member.kind not in _NOUNS:
            self.refuse(member, f"is a {member.kind}: only files, folders and links are unpacked")
        self.check_place(member, parts)
        if member.kind == "dir":
            self.make_dirs(member, parts)
            self.dir_modes[parts] = _dir_mode(member.mode)
        elif member.kind == "file":
            self.add_file(member, parts)
        elif member.kind == "hardlink":
            self.add_hard_link(member, parts)
        else:
            self.add_symlink(member, parts)

    def check_place(self, member: _Member, parts: tuple[str, ...]) -> None:
        """Refuse a member below a link or a file, or replacing anything but its own kind."""
        for i in range(1, len(parts)):
            kind = self.kinds.get(parts[:i])
            if kind in ("symlink", "hardlink", "file"):
                where = "through the" if kind == "symlink" else "inside the"
                self.refuse(member, f"would be written {where} {_NOUNS[kind]} {_join(parts[:i])!r}")
        earlier = self.kinds.get(parts)
        if earlier is not None and not (earlier == member.kind and earlier in ("file", "dir")):
            self.refuse(member, f"has the same name as an earlier {_NOUNS[earlier]}")

    def make_dirs(self, member: _Member, parts: tuple[str, ...]) -> None:
        """Make the folders ``parts``, refusing any that exists as anything but a real folder."""
        for i in range(1, len(parts) + 1):
            prefix = parts[:i]
            if prefix in self.real_dirs:
                continue
            path = self.root.joinpath(*prefix)
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                os.mkdir(path, 0o700)
            else:
                if stat.S_ISLNK(mode):
                    self.refuse(member, f"would be written through the symbolic link {path}")
                if not stat.S_ISDIR(mode):
                    self.refuse(member, f"needs {_join(prefix)!r} to be a folder, but it is not")
            self.real_dirs.add(prefix)
            self.kinds.setdefault(prefix, "dir")
            self.dir_modes.setdefault(prefix, _dir_mode(None))
        self.kinds[parts] = "dir"

    def new_file(self, member: _Member, parts: tuple[str, ...]) -> Path:
        """The path for a new file or link, its folders made and no earlier file in the way."""
        self.make_dirs(member, parts[:-1])
        path = self.root.joinpath(*parts)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return path
        if not stat.S_ISREG(mode):  # a name another member took on a case-insensitive disk
            self.refuse(member, "has the same name as an earlier member")
        os.unlink(path)  # an earlier file of the same name: tar's "last one wins"
        return path

    def add_file(self, member: _Member, parts: tuple[str, ...]) -> None:
        if self.declared + member.size > self.max_size:
            self.refuse(
                member,
                f"declares {member.size} bytes, taking the archive past the limit of "
                f"{self.max_size} bytes",
            )
        self.declared += member.size
        path = self.new_file(member, parts)
        self.extra_check(member)
        assert member.open is not None
        with _reading(self.archive, member.name):
            source = member.open()
        if source is None:
            self.refuse(member, "has no content to read")
        with source:
            self.copy(member, source, path)
        os.chmod(path, _file_mode(member.mode))
        os.utime(path, (self.mtime, self.mtime))
        self.kinds[parts] = "file"

    def copy(self, member: _Member, source: IO[bytes], path: Path) -> None:
        """Stream ``source`` to a new file at ``path``, counting every byte against the limit."""
        with os.fdopen(os.open(path, _CREATE, 0o600), "wb") as out:
            while True:
                with _reading(self.archive, member.name):
                    chunk = source.read(_CHUNK)
                if not chunk:
                    return
                if self.written + len(chunk) > self.max_size:
                    self.refuse(
                        member,
                        f"unpacks to more than the limit of {self.max_size} bytes "
                        f"(its header declares {member.size})",
                    )
                out.write(chunk)
                self.written += len(chunk)

    def add_hard_link(self, member: _Member, parts: tuple[str, ...]) -> None:
        try:
            target = _split(member.target, backslash_separates=member.backslash_separates)
        except ValueError as exc:
            self.refuse(member, f"is a hard link to {member.target!r}, which {exc}")
        if self.kinds.get(target) not in ("file", "hardlink"):
            self.refuse(
                member,
                f"is a hard link to {member.target!r}, which is not an earlier file of the archive",
            )
        path = self.new_file(member, parts)
        source = self.root.joinpath(*target)
        if not stat.S_ISREG(os.lstat(source).st_mode):
            self.refuse(member, f"is a hard link to {member.target!r}, which is not a file")
        self.extra_check(member)
        try:
            os.link(source, path, follow_symlinks=False)
        except OSError:  # a file system without hard links: a copy does
            with open(source, "rb") as content:
                self.copy(member, content, path)
            os.chmod(path, stat.S_IMODE(os.lstat(source).st_mode))
            os.utime(path, (self.mtime, self.mtime))
        self.kinds[parts] = "hardlink"

    def add_symlink(self, member: _Member, parts: tuple[str, ...]) -> None:
        """Check what can be checked of a symbolic link now; it is made in :meth:`finish`."""
        target = member.target
        if not target:
            self.refuse(member, "is a symbolic link with an empty target")
        if len(target) > _MAX_LINK_TARGET:
            self.refuse(member, f"is a symbolic link with a target over {_MAX_LINK_TARGET} bytes")
        if "\0" in target:
            self.refuse(member, f"is a symbolic link to {target!r}, which contains a NUL byte")
        if "\\" in target:
            self.refuse(member, f"is a symbolic link to {target!r}, which contains a backslash")
        if target.startswith("/") or _DRIVE.match(target):
            self.refuse(member, f"is a symbolic link to the absolute path {target!r}")
        self.make_dirs(member, parts[:-1])
        self.kinds[parts] = "symlink"
        self.links[parts] = member

    def finish(self) -> None:
        """Make the symbolic links, each checked against all of them, then fix folders."""
        for parts, member in self.links.items():
            self.check_link(member, parts)
        for parts, member in self.links.items():
            self.make_dirs(member, parts[:-1])  # made when the link was read
            path = self.root.joinpath(*parts)
            self.extra_check(member)
            try:
                os.symlink(member.target, path)
            except FileExistsError:
                self.refuse(member, "has the same name as an earlier member")
            if os.utime in os.supports_follow_symlinks:
                os.utime(path, (self.mtime, self.mtime), follow_symlinks=False)
        for parts, member in self.links.items():
            self.check_link_on_disk(member, parts)
        for parts in sorted(self.dir_modes, key=len, reverse=True):
            path = self.root.joinpath(*parts)
            if stat.S_ISDIR(os.lstat(path).st_mode):
                os.chmod(path, self.dir_modes[parts])
                os.utime(path, (self.mtime, self.mtime))

    def check_link(self, member: _Member, parts: tuple[str, ...]) -> None:
        """Resolve a symbolic link as the kernel would, through the archive's other links."""
        folder = list(parts[:-1])
        pending = member.target.split("/")[::-1]  # a stack: the next component last
        hops = 0
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if not folder:
                    self.refuse(
                        member,
                        f"is a symbolic link to {member.target!r}, which points outside the "
                        "destination",
                    )
                folder.pop()
                continue
            folder.append(part)
            link = self.links.get(tuple(folder))
            if link is not None:
                hops += 1
                if hops > _MAX_LINK_HOPS:
                    self.refuse(
                        member,
                        f"is a symbolic link to {member.target!r}, which goes through more than "
                        f"{_MAX_LINK_HOPS} links",
                    )
                folder.pop()
                pending.extend(link.target.split("/")[::-1])

    def check_link_on_disk(self, member: _Member, parts: tuple[str, ...]) -> None:
        """Check a link again, as made: this sees what a case-insensitive disk makes of names.

        Nothing is written after the links are made but folders' modes and times, and the
        folders are known to be real folders, so a link refused here has served nothing.
        """
        real = os.path.realpath(self.root.joinpath(*parts))
        if not _inside(real, self.root):
            self.refuse(member, f"is a symbolic link that resolves to {real}, outside")

    def extra_check(self, member: _Member) -> None:
        if member.extra_check is None:
            return
        try:
            member.extra_check(str(self.root))
        except tarfile.TarError as exc:
            self.refuse(member, f"is refused by tarfile's data filter: {exc}")


class _BoundedStream:
    """A forward-only view of a decompressed tar stream that refuses to yield too much.

    The member headers' declared sizes bound the data, but not the headers themselves (a pax
    header can declare gigabytes), so the stream as a whole is bounded too, and so is each
    single read: ``tarfile`` reads a header block in one call, and a member's data in chunks.
    """

    def __init__(self, raw: io.BufferedIOBase, archive: Path, limit: int) -> None:
        self.raw = raw
        self.archive = archive
        self.limit = limit
        self.position = 0

    def _too_much(self) -> NoReturn:
        raise UnsafeArchive(
            self.archive, None, f"it decompresses to more than {self.limit} bytes of tar stream"
        )

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > _MAX_HEADER_READ:
            raise UnsafeArchive(
                self.archive, None, f"it has a header block over {_MAX_HEADER_READ} bytes"
            )
        data = self.raw.read(size)
        self.position += len(data)
        if self.position > self.limit:
            self._too_much()
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self.position
        elif whence != os.SEEK_SET:
            raise OSError(errno.ESPIPE, "the tar stream only seeks forward")
        if offset < self.position:
            raise OSError(errno.ESPIPE, "the tar stream only seeks forward")
        if offset > self.limit:
            self._too_much()
        self.position = self.raw.seek(offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def write(self, data: bytes) -> int:
        raise OSError(errno.EBADF, "the tar stream is read only")

    def close(self) -> None:
        """Nothing to do: the decompressed stream is closed by whoever opened it."""


@contextmanager
def _open_members(archive: Path, max_size: int, max_members: int) -> Iterator[Iterator[_Member]]:
    """The archive's members, read one by one as the caller unpacks them."""
    zip_archive = _is_zip(archive)
    with open(archive, "rb") as raw:
        if zip_archive:
            with _reading(archive, None):
                zip_file = zipfile.ZipFile(raw)
            with zip_file:
                yield _zip_members(archive, zip_file, max_size, max_members)
            return
        limit = max_size + (max_members + 1) * _HEADER_ALLOWANCE + _CHUNK
        with ExitStack() as stack:
            with _reading(archive, None):
                stream = stack.enter_context(_decompress(raw))
                bounded = _BoundedStream(stream, archive, limit)
                tar = stack.enter_context(tarfile.open(fileobj=bounded, mode="r:"))
            yield _tar_members(archive, tar)


def _is_zip(archive: Path) -> bool:
    """Whether ``archive`` is a zip rather than a tar: by its suffix, else by its content."""
    name = archive.name.lower()
    if name.endswith(_ZIP_SUFFIXES):
        return True
    if name.endswith(_TAR_SUFFIXES):
        return False
    with open(archive, "rb") as file:
        head = file.read(512)
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or head[257:262] == b"ustar":
        return False
    if zipfile.is_zipfile(archive):
        return True
    if tarfile.is_tarfile(archive):
        return False
    raise UnsafeArchive(archive, None, "it is neither a tar nor a zip archive")


def _decompress(raw: io.BufferedReader) -> io.BufferedIOBase:
    """The tar stream in ``raw``, decompressed by what its first bytes say it is."""
    head = raw.read(6)
    raw.seek(0)
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if head.startswith(b"BZh"):
        return bz2.BZ2File(raw)
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(raw)
    return raw


def _tar_members(archive: Path, tar: tarfile.TarFile) -> Iterator[_Member]:
    while True:
        with _reading(archive, None):
            info = tar.next()
        if info is None:
            return
        if info.isfile():  # regular, contiguous and sparse files
            kind = "file"
        elif info.isdir():
            kind = "dir"
        elif info.issym():
            kind = "symlink"
        elif info.islnk():
            kind = "hardlink"
        elif info.ischr():
            kind = "character device"
        elif info.isblk():
            kind = "block device"
        elif info.isfifo():
            kind = "fifo"
        else:
            kind = f"member of unknown type {info.type!r}"
        yield _Member(
            name=info.name,
            kind=kind,
            size=info.size if kind == "file" else 0,
            mode=info.mode,
            target=info.linkname,
            backslash_separates=False,
            open=functools.partial(tar.extractfile, info),
            extra_check=None if _DATA_FILTER is None else functools.partial(_DATA_FILTER, info),
        )


def _zip_members(
    archive: Path, zip_file: zipfile.ZipFile, max_size: int, max_members: int
) -> Iterator[_Member]:
    infos = zip_file.infolist()
    if len(infos) > max_members:  # the central directory says it all, before anything is written
        member = infos[max_members].filename
        raise UnsafeArchive(archive, member, f"is past the limit of {max_members} members")
    total = 0
    for info in infos:
        total += info.file_size
        if total > max_size:
            raise UnsafeArchive(
                archive,
                info.filename,
                f"declares {info.file_size} bytes, taking the archive past the limit of "
                f"{max_size} bytes",
            )
    for info in infos:
        mode = info.external_attr >> 16
        file_type = stat.S_IFMT(mode)
        target = ""
        if file_type == stat.S_IFLNK:
            kind = "symlink"
            with _reading(archive, info.filename), zip_file.open(info) as content:
                target = os.fsdecode(content.read(_MAX_LINK_TARGET + 1))
        elif file_type == stat.S_IFDIR or info.filename.replace("\\", "/").endswith("/"):
            kind = "dir"
        elif file_type in (0, stat.S_IFREG):
            kind = "file"
        else:
            kind = _SPECIAL.get(file_type, f"member of unknown type {file_type:#o}")
        yield _Member(
            name=info.filename,
            kind=kind,
            size=info.file_size if kind == "file" else 0,
            mode=stat.S_IMODE(mode) if stat.S_IMODE(mode) else None,
            target=target,
            backslash_separates=True,
            open=functools.partial(zip_file.open, info),
        )


_SPECIAL = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "fifo",
    stat.S_IFSOCK: "socket",
}


@contextmanager
def _reading(archive: Path, member: str | None) -> Iterator[None]:
    """Report a failure to read the archive as the refusal it is."""
    try:
        yield
    except UnsafeArchive:
        raise
    except _READ_ERRORS as exc:
        raise UnsafeArchive(archive, member, f"cannot be read: {exc}") from exc


def _split(name: str, *, backslash_separates: bool) -> tuple[str, ...]:
    """The components of a member's name; a ``ValueError`` says why the name is unsafe.

    Backslashes count as separators for the checks whatever the format, so a name that means
    escaping on some system is refused everywhere.
    """
    if "\0" in name:
        raise ValueError("contains a NUL byte")
    slashed = name.replace("\\", "/")
    if slashed.startswith("/"):
        raise ValueError("is an absolute path")
    if _DRIVE.match(slashed):
        raise ValueError("starts with a drive")
    if ".." in slashed.split("/"):
        raise ValueError("has a '..' component")
    used = slashed if backslash_separates else name
    return tuple(part for part in used.split("/") if part not in ("", "."))


def _join(parts: tuple[str, ...]) -> str:
    return "/".join(parts)


def _inside(path: str, root: Path) -> bool:
    return path == str(root) or path.startswith(os.path.join(str(root), ""))


def _file_mode(mode: int | None) -> int:
    """No setuid, setgid, sticky or group/other write; the owner may read and write."""
    return 0o644 if mode is None else (mode & 0o755) | 0o600


def _dir_mode(mode: int | None) -> int:
    return 0o755 if mode is None else (mode & 0o755) | 0o700


def _fixed_mtime() -> int:
    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", ""))
    except ValueError:
        return DEFAULT_MTIME
    return epoch if epoch >= 0 else DEFAULT_MTIME


def _empty(root: Path) -> None:
    """Remove everything in ``root``; links are removed, never followed."""
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
