"""Profiles of packages from an index that changes under them: what a change says of the
packages it keeps (their notes, a release gone from the index, a conflict with a new one).

Hermetic: an index of hand-made wheels (and sdists), written again by each test as releases
come and go, beside the build index's files (the tools a wheel's install needs).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from test_profiles import cli

from support.fixtures import BuildIndex, index_environ
from support.index import make_sdist, write_index

Publish = Callable[..., None]


def _wheel(folder: Path, name: str, version: str, requires: tuple[str, ...], clash: bool) -> Path:
    """A pure wheel of `name` `version` whose metadata requires `requires` (their markers'
    extras provided), with the module ``clash.py`` too if it `clash`."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    extras = dict.fromkeys(e for r in requires for e in re.findall(r"extra == '(\w+)'", r))
    meta += "".join(f"Provides-Extra: {e}\n" for e in extras)
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    members = {
        **({"clash.py": f"WHO = {name!r}\n"} if clash else {}),
        f"{module}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist_info}/METADATA": meta,
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
        record.append(f"{path},sha256={digest.rstrip(b'=').decode()},{len(text.encode())}\n")
    members[f"{dist_info}/RECORD"] = "".join(record) + f"{dist_info}/RECORD,,\n"
    out = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w") as zf:
        for path, text in members.items():
            zf.writestr(path, text)
    return out


@pytest.fixture
def publish(build_index: BuildIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Publish:
    """Write the index anew with the build index's files and these releases: each
    ``(name, version, requires…)``, a wheel; ``sdist=True`` adds an sdist to each, and
    the wheels of the projects `clashing` have the module ``clash.py``."""
    dists, root = tmp_path / "dists", tmp_path / "index"  # one URL: its plans stay saved
    dists.mkdir()

    def write(
        *releases: tuple[str, ...], sdist: bool = False, clashing: tuple[str, ...] = ()
    ) -> None:
        files = sorted((build_index.root / "files").iterdir())
        for name, version, *requires in releases:
            files.append(_wheel(dists, name, version, tuple(requires), name in clashing))
            if sdist:
                files.append(make_sdist(dists, name, version, {"setup.py": ""}))
        shutil.rmtree(root, ignore_errors=True)
        for key, value in index_environ(write_index(root, files)).items():
            monkeypatch.setenv(key, value)

    return write


def test_notes_are_told_once_and_only_of_what_a_change_adds(publish: Publish) -> None:
    """A plan's notes (here: a release taken as its wheel, as prefer = wheel asks) were told
    again for every package an install keeps, and twice for a pypi: one (the new one's
    resolution includes the kept ones, which are then evaluated again)."""
    publish(("alpha", "1.0"), ("beta", "1.0"), sdist=True)
    env = {"PYBUILD_PREFER": "wheel"}
    first = cli("install", "pypi:alpha", env=env).stderr
    assert first.count("alpha 1.0 comes from its wheel") == 1
    second = cli("install", "pypi:beta", env=env).stderr
    assert second.count("beta 1.0 comes from its wheel") == 1
    assert "alpha 1.0 comes from" not in second
    third = cli("upgrade", "beta", env=env).stderr  # nothing newer: nothing changes
    assert "comes from" not in third and "nothing changed" in third
    publish(("alpha", "1.0"), ("beta", "1.0"), ("beta", "1.1"), sdist=True)
    fourth = cli("upgrade", "beta", env=env).stderr
    assert "alpha 1.0 comes from" not in fourth
    assert fourth.count("beta 1.1 comes from its wheel") == 1


def test_a_kept_release_gone_from_the_index_is_named_as_the_profiles_with_the_way_out(
    publish: Publish,
) -> None:
    """The profile's own package, asked for again at its version, was told as a requirement
    the user wrote (pypi:zz==1.1, where they typed pypi:zz) with a hint to relax it."""
    publish(("zz", "1.0"), ("zz", "1.1"))
    cli("install", "pypi:zz", "--profile", "p")
    publish(("zz", "1.0"), ("other", "1.0"))  # 1.1 is gone
    error = cli("install", "pypi:other", "--profile", "p", ok=False).stderr
    assert "zz==1.1 is required by zz 1.1 of profile p (installed as pypi:zz)" in error
    assert "relax or change" not in error
    hint = error.partition("hint: ")[2]
    assert "keeps zz 1.1 as installed" in hint
    assert "`pybuild upgrade zz --profile p`" in hint and "`pybuild remove zz --profile p`" in hint
    assert "(`pybuild upgrade --profile p` for all, when a package that needs it must" in hint
    assert "downgrading zz 1.1 -> zz 1.0" in cli("upgrade", "zz", "--profile", "p").stderr


def test_an_upgrade_of_another_package_names_a_kept_release_gone_from_the_index(
    publish: Publish,
) -> None:
    """``upgrade other`` evaluates the packages it keeps again: one whose release the index
    no longer has failed as "zz==1.1 is required by pypi:zz==1.1", a request the user never
    wrote, with a hint to relax it. It is named as the profile's, with the way out, as an
    install names it."""
    publish(("zz", "1.0"), ("zz", "1.1"), ("other", "1.0"))
    cli("install", "pypi:zz", "pypi:other", "--profile", "p")
    publish(("zz", "1.0"), ("other", "1.0"), ("other", "1.1"))  # zz 1.1 is gone
    error = cli("upgrade", "other", "--profile", "p", ok=False).stderr
    assert "zz==1.1 is required by zz 1.1 of profile p (installed as pypi:zz)" in error, error
    hint = error.partition("hint: ")[2]
    assert "relax or change" not in hint and "another profile" not in hint
    assert "`pybuild upgrade zz --profile p`" in hint and "`pybuild remove zz --profile p`" in hint
    assert "(`pybuild upgrade --profile p` for all, when a package that needs it must" in hint


def test_a_kept_package_a_new_one_conflicts_with_is_named_as_the_profiles(
    publish: Publish,
) -> None:
    publish(("sicks", "1.15.0"), ("sicks", "1.17.0"), ("needs-old", "1.0", "sicks<1.16"))
    cli("install", "pypi:sicks")
    error = cli("install", "pypi:needs-old", ok=False).stderr
    assert "sicks==1.17.0 is required by sicks 1.17.0 of profile default" in error
    assert "sicks<1.16 is required by needs-old 1.0" in error
    hint = error.partition("hint: ")[2]
    assert "`pybuild remove sicks`" in hint and "--profile NAME" in hint


def test_a_collision_names_the_installed_package_to_remove(publish: Publish) -> None:
    """The hint said `pybuild remove NAME`, though the package holding the file is known: the
    one installed that has it, or that pulls in the one that has it."""
    publish(("aa", "1.0"), ("bb", "1.0"), ("cc", "1.0", "aa"), clashing=("aa", "bb"))
    cli("install", "pypi:aa")
    refused = cli("install", "pypi:bb", ok=False).stderr
    assert "clash.py is in both" in refused and "`pybuild remove aa`" in refused
    cli("install", "pypi:cc", "--profile", "p")
    refused = cli("install", "pypi:bb", "--profile", "p", ok=False).stderr
    assert "`pybuild remove cc --profile p`" in refused


def test_an_install_that_changes_only_the_request_says_what_changed(publish: Publish) -> None:
    """Asking for an installed package with a pin said nothing of the change (a new
    generation all the same), and with an extra, "replacing black 26.10.1 by black
    26.10.1"."""
    publish(("aa", "1.0", "dd; extra == 'more'"), ("dd", "1.0"))
    cli("install", "pypi:aa")
    pinned = cli("install", "pypi:aa==1.0").stderr
    assert "changing pypi:aa to pypi:aa==1.0 (aa 1.0, as installed)" in pinned
    extra = cli("install", "pypi:aa[more]").stderr
    assert "replacing pypi:aa==1.0 by pypi:aa[more] (aa 1.0)" in extra
    assert "nothing changed" in cli("install", "pypi:aa[more]").stderr


def test_two_extras_of_one_package_in_one_install_are_refused_with_the_one_request(
    publish: Publish,
) -> None:
    """A profile holds one entry of a distribution: two of its extras asked for apart were
    refused as two *versions*, and the hint said to install one of them, never the request
    that has both."""
    publish(("aa", "1.0", "dd; extra == 'more'", "ee; extra == 'x'"), ("dd", "1.0"), ("ee", "1.0"))
    refused = cli("install", "pypi:aa[more]", "pypi:aa[x]==1.0", ok=False).stderr
    assert "are both aa: a profile holds one of each distribution" in refused
    assert "'pypi:aa[more,x]==1.0'" in refused
    cli("install", "pypi:aa[more,x]==1.0")
    assert [line.split()[0] for line in cli("list").stdout.splitlines()] == ["pypi:aa[more,x]==1.0"]
