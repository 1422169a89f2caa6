"""A builder's ``$out`` is its output's final store path, as in Nix: built beside the store in
a folder as long as it, and rewritten in place (pybuild/store/rewrite.py) before it is stored."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

from pybuild.derivations import Derivation, derivation
from pybuild.hashing import hash_bytes
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.store import rewrite as rewrite_module
from pybuild.store.rewrite import rewrite_outputs


def sh(name: str, script: str, **kw: object) -> Derivation:
    return derivation(name=name, builder="/bin/sh", args=["-c", script], **kw)  # type: ignore[arg-type]


def built(store: Store, drv: Derivation, output: str = "out") -> Path:
    realise([drv], store, BuildOptions(log=io.StringIO()))
    return Path(drv.path(output, store))


def test_a_script_and_a_link_that_name_out_name_the_final_path(store: Store) -> None:
    drv = sh(
        "self-aware",
        'mkdir -p "$out/bin"; printf "#!/bin/sh\\necho self=%s\\n" "$out" > "$out/bin/hi";'
        ' chmod +x "$out/bin/hi"; ln -s "$out/bin/hi" "$out/link"; ln -s "$out" "$out/me"',
    )
    out = built(store, drv)
    assert (out / "bin" / "hi").read_text() == f"#!/bin/sh\necho self={out}\n"
    ran = subprocess.run([out / "link"], capture_output=True, text=True, check=True)
    assert ran.stdout == f"self={out}\n"
    assert os.readlink(out / "link") == f"{out}/bin/hi"
    assert os.readlink(out / "me") == str(out)  # the folder alone, no "/" after: as written
    assert store.info(drv.out).references == (drv.out,)


def test_two_outputs_name_each_others_final_paths(store: Store) -> None:
    drv = sh(
        "split",
        'mkdir "$out" "$dev"; echo "$dev/include" > "$out/dev-at"; echo "$out/lib" > "$dev/out-at";'
        ' echo "$out" > "$out/self"',
        outputs=["out", "dev"],
    )
    out, dev = built(store, drv), Path(drv.path("dev", store))
    assert (out / "dev-at").read_text() == f"{dev}/include\n"
    assert (dev / "out-at").read_text() == f"{out}/lib\n"
    assert (out / "self").read_text() == f"{out}\n"
    out_name, dev_name = drv.output_paths["out"], drv.output_paths["dev"]
    assert store.info(out_name).references == tuple(sorted([out_name, dev_name]))
    assert store.info(dev_name).references == (out_name,)


def test_read_only_and_hard_linked_files_are_rewritten(store: Store) -> None:
    drv = sh(
        "locked",
        'mkdir "$out"; echo "$out/x" > "$out/ro"; chmod 444 "$out/ro"; ln "$out/ro" "$out/twin";'
        ' mkdir "$out/shut"; ln -s "$out/ro" "$out/shut/link"; chmod 555 "$out/shut"',
    )
    out = built(store, drv)
    assert (out / "ro").read_text() == (out / "twin").read_text() == f"{out}/x\n"
    assert os.readlink(out / "shut" / "link") == f"{out}/ro"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another uid is root's")
def test_files_hard_linked_from_outside_are_copied_before_the_rewrite(
    store: Store, tmp_path: Path
) -> None:
    """A builder outside the sandbox writes ``$out`` into a file outside its output and
    hard-links that file (and another user's) into it: what is stored holds the final path,
    made canonical, and the files outside keep their content, owner and mode."""
    host = tmp_path / "host"
    host.mkdir()
    (host / "nobodys").write_text("nobody's\n")
    os.chown(host / "nobodys", 65534, 65534)
    (host / "nobodys").chmod(0o666)
    drv = sh(
        "linked",
        f'mkdir "$out"; echo "$out/x" > {host}/own; chmod 4777 {host}/own;'
        f' ln {host}/own "$out/own"; ln {host}/nobodys "$out/nobodys"',
    )
    out = built(store, drv)
    own, nobodys = os.lstat(host / "own"), os.lstat(host / "nobodys")
    temporary = (host / "own").read_text()
    assert temporary != f"{out}/x\n" and temporary.endswith(f"{out.name}/x\n")
    assert (own.st_uid, stat.S_IMODE(own.st_mode), own.st_nlink) == (0, 0o4777, 1)
    assert (host / "nobodys").read_text() == "nobody's\n"
    assert (nobodys.st_uid, nobodys.st_gid, stat.S_IMODE(nobodys.st_mode)) == (65534, 65534, 0o666)
    assert (out / "own").read_text() == f"{out}/x\n"
    assert (out / "nobodys").read_text() == "nobody's\n"
    for stored in (os.lstat(out / "own"), os.lstat(out / "nobodys")):
        assert (stored.st_uid, stored.st_nlink, stored.st_mtime) == (0, 1, 1)
    assert stat.S_IMODE(os.lstat(out / "own").st_mode) == 0o555
    assert stat.S_IMODE(os.lstat(out / "nobodys").st_mode) == 0o444


def test_in_place_keeping_modes(tmp_path: Path) -> None:
    """Only the files that hold the folder are written, in place: a read-only file stays
    read-only, an unreadable one unreadable; a hard-linked pair becomes two files (either
    name may lie outside the outputs), each rewritten."""
    folder, store_dir = tmp_path / ".ab12", tmp_path / "store"
    out = folder / "h-out"
    (out / "shut").mkdir(parents=True)
    text = f"#!{folder}/h-out/bin/python\n\0{folder}/h-dep/lib\0".encode()
    (out / "ro").write_bytes(text)
    os.link(out / "ro", out / "twin")
    (out / "ro").chmod(0o444)
    (out / "closed").write_bytes(text)
    (out / "closed").chmod(0o000)
    (out / "plain").write_bytes(b"nothing to see")
    (out / "shut" / "link").symlink_to(f"{folder}/h-out/ro")
    (out / "shut").chmod(0o555)
    (out / "sealed").mkdir()
    (out / "sealed" / "inside").write_bytes(text)
    (out / "sealed").chmod(0o000)
    untouched = (out / "plain").stat().st_mtime_ns - 10**9
    os.utime(out / "plain", ns=(untouched, untouched))

    rewrite_outputs([out, folder / "h-missing"], folder, store_dir)

    (out / "closed").chmod(0o444)
    assert stat.S_IMODE((out / "sealed").stat().st_mode) == 0o000
    (out / "sealed").chmod(0o755)
    expected = f"#!{store_dir}/h-out/bin/python\n\0{store_dir}/h-dep/lib\0".encode()
    assert (out / "ro").read_bytes() == (out / "closed").read_bytes() == expected
    assert (out / "sealed" / "inside").read_bytes() == expected
    assert (out / "twin").read_bytes() == expected
    assert (out / "ro").stat().st_nlink == (out / "twin").stat().st_nlink == 1
    assert stat.S_IMODE((out / "ro").stat().st_mode) == 0o444
    assert stat.S_IMODE((out / "twin").stat().st_mode) == 0o444
    assert stat.S_IMODE((out / "shut").stat().st_mode) == 0o555
    assert os.readlink(out / "shut" / "link") == f"{store_dir}/h-out/ro"
    assert (out / "plain").stat().st_mtime_ns == untouched  # not written
    (out / "shut").chmod(0o755)


def test_folders_of_different_lengths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="differ in length"):
        rewrite_outputs([tmp_path], tmp_path / ".abc", tmp_path / "store")


def test_a_download_is_not_rewritten(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed output's content is fixed by its hash (a builtin builder never writes its
    folder): only a build is rewritten."""
    seen: list[list[str]] = []

    def spy(outputs: Iterable[Path], folder: Path, store_dir: Path) -> None:
        outputs = list(outputs)
        seen.append([p.name for p in outputs])
        rewrite_outputs(outputs, folder, store_dir)

    monkeypatch.setattr(rewrite_module, "rewrite_outputs", spy)
    content = b"fixed\n"
    download = sh(
        "download",
        "printf 'fixed\\n' > \"$out\"",
        output_hash=hash_bytes(content).sri,
        output_hash_mode="flat",
    )
    assert built(store, download).read_bytes() == content
    build = sh("build", 'echo "$out" > "$out"')
    assert built(store, build).read_text() == f"{store.path(build.out)}\n"
    assert seen == [[build.out]]


def test_the_outputs_folder_is_beside_the_store_and_as_long(store: Store) -> None:
    folder, record = store.new_outputs_dir("x")
    assert folder.parent == store.home and len(str(folder)) == len(str(store.dir))
    assert re.fullmatch(r"\.[a-z0-9]{4}", folder.name)
    assert record.parent == store.tmp_dir and os.readlink(record) == f"../../{folder.name}"
    assert record.name.startswith(f"x-{os.getpid()}-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    store.remove_outputs_dir(folder, record)
    assert not folder.exists() and not os.path.lexists(record)
