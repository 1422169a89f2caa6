"""Keeping a home tidy: ``verify --repair`` of paths whose inputs are damaged too, ``delete``
of a path that several roots hold, ``optimise --dry-run`` beside a damaged ``.links`` entry,
and what ``du`` counts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pybuild.store import Store

NO_CACHES = ("--option", "link_cache", "", "--option", "substituters", "")


def cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """pybuild as users run it (its home is the test's: conftest); never a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def recipes(folder: Path, body: str) -> Path:
    path = folder / "recipes.py"
    path.write_text("from pathlib import Path\nfrom pybuild import derivation\n\n")
    with path.open("a") as file:
        file.write(textwrap.dedent(body))
    return path


def append_to(path: Path, text: str) -> None:
    """Damage a read-only store file (and every hard link to it) as a user with a shell can."""
    mode = path.stat().st_mode
    path.chmod(mode | 0o200)
    with path.open("a") as file:
        file.write(text)
    path.chmod(mode)


# -- verify --repair: inputs first -------------------------------------------------------------


def test_a_path_whose_damaged_input_cannot_be_repaired_is_said_to_wait_for_it(
    tmp_path: Path,
) -> None:
    """The copy of an added file shares its damaged inode after ``optimise``: its rebuild
    would copy the damage, so it is not called unreproducible, nor told to be deleted."""
    (tmp_path / "data.txt").write_text("text\n")
    file = recipes(
        tmp_path,
        f"""
        data = Path({str(tmp_path)!r}) / "data.txt"
        copy = derivation(name="copy", builder="/bin/sh",
                          args=["-c", 'cat "$1" > "$out"', "x", data])
        """,
    )
    out = Path(cli("build", "-f", file, "copy", "-o", tmp_path / "result").stdout.strip())
    [added] = [p for p in out.parent.iterdir() if p.name.endswith("-data.txt")]
    assert cli("optimise").returncode == 0
    assert os.lstat(out).st_ino == os.lstat(added).st_ino
    append_to(out, "damage\n")

    repair = cli("verify", "--check-contents", "--repair", *NO_CACHES)
    assert repair.returncode == 1
    assert f"cannot repair {out}: its input {added} is damaged" in repair.stderr
    assert "not reproducible" not in repair.stderr
    assert f"pybuild delete {out}" not in repair.stderr
    alone = cli("verify", "--check-contents", "--repair", out, *NO_CACHES)  # input unchecked
    assert f"cannot repair {out}: its input {added} is damaged" in alone.stderr
    assert "not reproducible" not in alone.stderr


def test_damaged_outputs_are_repaired_inputs_first(tmp_path: Path) -> None:
    """The copy's name sorts before its input's (their hashes do not depend on the home):
    it is still rebuilt after its input is put back, so it reads no damage."""
    file = recipes(
        tmp_path,
        """
        input = derivation(name="input", builder="/bin/sh", args=["-c", 'echo text > "$out"'])
        copy = derivation(name="copy", builder="/bin/sh",
                          args=["-c", 'cat "$1" > "$out"', "x", input])
        """,
    )
    out = Path(cli("build", "-f", file, "copy", "-o", tmp_path / "result").stdout.strip())
    [source] = [p for p in out.parent.iterdir() if p.name.endswith("-input")]
    assert out.name < source.name
    assert cli("optimise").returncode == 0
    append_to(out, "damage\n")  # and its input: one inode

    repair = cli("verify", "--check-contents", "--repair", *NO_CACHES)
    assert repair.returncode == 0, repair.stderr
    assert out.read_text() == source.read_text() == "text\n"
    assert cli("verify", "--check-contents").returncode == 0


def test_pybuilds_own_builder_folder_is_put_back_from_pybuilds_files(store: Store) -> None:
    """``pybuild add`` of it would give another path; its repair copies pybuild's files."""
    from pybuild.python.package import builder_source

    builder = Path(builder_source())
    append_to(builder / "relax.py", "# damage\n")

    repair = cli("verify", "--check-contents", "--repair", *NO_CACHES)
    assert repair.returncode == 0, repair.stderr
    assert f"repaired: {builder}" in repair.stdout
    assert cli("verify", "--check-contents").returncode == 0


def test_a_builder_folder_pybuilds_files_no_longer_hold_is_said_to_be_beyond_repair(
    store: Store, tmp_path: Path
) -> None:
    """One an older pybuild added: its files changed since, so no copy of it is left."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "relax.py").write_text("# an older builder\n")
    old = store.path(store.add_path(tmp_path / "old", "pybuild-python-builder"))
    append_to(old / "relax.py", "# damage\n")

    repair = cli("verify", "--check-contents", "--repair", *NO_CACHES)
    assert repair.returncode == 1
    assert f"cannot repair {old}: it is pybuild's builder folder" in repair.stderr
    assert "add it again" not in repair.stderr


# -- delete: every root that holds the path ----------------------------------------------------


def held_by_links(store: Store, folder: Path, count: int) -> tuple[Path, list[Path]]:
    """A built path and `count` result links to it."""
    from pybuild.derivations import derivation
    from pybuild.realiser import BuildOptions, realise
    from pybuild.store.roots import add_result_link
    from pybuild.store.temproots import release_temp_roots

    drv = derivation(name="held", builder="/bin/sh", args=["-c", 'echo held > "$out"'])
    with open(os.devnull, "w") as log:
        realise([drv], store, BuildOptions(log=log))
    release_temp_roots(store)
    links = [folder / f"r{i}" for i in range(count)]
    for link in links:
        add_result_link(store, link, store.path(drv.out))
    return store.path(drv.out), links


def test_delete_names_every_root_that_holds_the_path(store: Store, tmp_path: Path) -> None:
    path, links = held_by_links(store, tmp_path, 3)
    refused = cli("delete", path)
    assert refused.returncode != 0
    assert all(f"rm {link}" in refused.stderr for link in links), refused.stderr
    assert all(str(link) in refused.stderr.split("hint:")[0] for link in links)


def test_delete_counts_the_roots_it_does_not_name_and_says_how_to_list_them(
    store: Store, tmp_path: Path
) -> None:
    path, links = held_by_links(store, tmp_path, 8)
    refused = cli("delete", path)
    assert refused.returncode != 0
    named = [link for link in links if str(link) in refused.stderr]
    assert 1 < len(named) < len(links)
    assert f"{len(links) - len(named)} more" in refused.stderr
    assert f"pybuild query --roots {path}" in refused.stderr


def test_delete_names_the_roots_in_order(store: Store, tmp_path: Path) -> None:
    path, links = held_by_links(store, tmp_path, 4)
    stderr = cli("delete", path).stderr
    message, hint = stderr.split("hint:")
    assert sorted(links, key=lambda link: message.index(str(link))) == links, message
    assert sorted(links, key=lambda link: hint.index(f"rm {link}")) == links, hint


def held_by_a_profile(store: Store, tmp_path: Path, current: int) -> tuple[Path, Path]:
    """A built path that generation 1 of profile ``work`` holds, and its profile link, which
    points to generation `current` (the other one holds another path)."""
    path, (link,) = held_by_links(store, tmp_path, 1)
    other = store.path(store.add_path(_a_file(tmp_path, "other"), "other"))
    link.unlink()
    profiles = store.var / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    for number, target in ((1, path), (2, other)):
        (profiles / f"work-{number}-link").symlink_to(target)
    (profiles / "work").symlink_to(f"work-{current}-link")
    return path, profiles / "work"


def _a_file(folder: Path, name: str) -> Path:
    (folder / name).write_text(f"{name}\n")
    return folder / name


def test_delete_of_what_the_current_generation_holds_says_to_remove_it(
    store: Store, tmp_path: Path
) -> None:
    """The profile link and its current generation's link are one root, which goes by removing
    the package from the profile: delete-generations never deletes the current generation."""
    path, profile = held_by_a_profile(store, tmp_path, current=1)
    refused = cli("delete", path)
    assert refused.returncode != 0
    assert f"held by the profile link {profile}" in refused.stderr
    assert "work-1-link" not in refused.stderr and "also held" not in refused.stderr
    assert "remove that root first (`pybuild remove PACKAGE --profile work`" in refused.stderr
    assert "then `pybuild gc`, which deletes it" in refused.stderr  # not "delete again"
    assert "switch the profile" not in refused.stderr


def test_delete_of_what_an_older_generation_holds_says_to_delete_it(
    store: Store, tmp_path: Path
) -> None:
    path, profile = held_by_a_profile(store, tmp_path, current=2)
    refused = cli("delete", path)
    assert refused.returncode != 0
    assert f"held by the profile link {profile.parent / 'work-1-link'}" in refused.stderr
    assert "`pybuild delete-generations 1 --profile work`" in refused.stderr


# -- du: the store's size on disk ---------------------------------------------------------------


def test_du_gives_the_store_size_that_du_gives(store: Store, tmp_path: Path) -> None:
    """What the files take on disk, in blocks (``du -s``, each hard link once), not the sum
    of their sizes, which many small files make much smaller."""
    import json

    for i in range(20):
        (tmp_path / f"f{i}").write_text(f"{i}\n")
        store.add_path(tmp_path / f"f{i}")
    assert cli("optimise").returncode == 0
    usage = json.loads(cli("du", "--json").stdout)
    measured = subprocess.run(["du", "-s", "-B1", store.dir], capture_output=True, text=True)
    assert usage["diskBytes"] == int(measured.stdout.split()[0])
    assert "on disk" in cli("du").stdout
