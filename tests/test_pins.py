"""Wheel recipes pin one hash per file; ``update-pins`` writes them; a build uses the right one.

A local PEP 691 index publishes one release of ``spin`` as wheels for several interpreters and
platforms (each wheel's module says which file it is); ``pybuild update-pins`` writes the pins
into a recipe, and a build on this interpreter installs the file a machine like this one would
choose. What no pin covers is a named error: a file the pins lack (:class:`NoPinnedWheel`,
whose hint is the command that pins it), or an interpreter or a platform the release has no
wheel for at all (:class:`UnsupportedInterpreter`, which ``build --all`` reports as
unsupported).
"""

from __future__ import annotations

import io
import json
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.tags import parse_tag
from packaging.version import Version

import pybuild.errors
import pybuild.fetchers
import pybuild.pins
from pybuild.cli import main
from pybuild.errors import NoPinnedWheel, UnsupportedInterpreter, UsageError
from pybuild.fetchers import fetch_pypi, remember_files
from pybuild.hashing import hash_bytes, hash_file
from pybuild.index.client import best_wheel
from pybuild.index.simple import DistFile
from pybuild.pins import choose_pinned, files_to_pin
from pybuild.pkgset import package_set
from pybuild.python.package import TOOLCHAIN, toolchain_wheels
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.update_pins import update_pins
from support.fixtures import BuildIndex
from support.index import make_sdist, make_wheel, write_index
from support.interpreter import FAKE_PYTHON, changed

PY = f"cp{sys.version_info.major}{sys.version_info.minor}"
OTHER = "cp312" if PY != "cp312" else "cp313"  # an interpreter other than this one
ARCH = platform.machine()
on_manylinux = pytest.mark.skipif(
    sys.platform != "linux" or ARCH not in ("x86_64", "aarch64"),
    reason="the fixture wheels are manylinux ones for this machine",
)
# spin 1.0's wheels: which of them update-pins pins, and which this machine uses.
SPIN_PINNED = (
    f"{PY}-{PY}-manylinux_2_17_{ARCH}",  # for an older glibc than the next one's
    f"{PY}-{PY}-manylinux_2_28_{ARCH}",  # this machine's (glibc >= 2.28 here)
    f"{PY}-{PY}-win_amd64",
    f"{OTHER}-{OTHER}-manylinux_2_17_{ARCH}",
    "cp39-abi3-macosx_11_0_arm64",  # one file for every interpreter on that platform
)
SPIN_NOT_PINNED = (
    f"{PY}-{PY}-musllinux_1_2_{ARCH}",  # not one of the five platforms
    f"{PY}-{PY}-win32",
)
RECIPE = '''"""{pname}, a fixture recipe from binary wheels."""


def recipe(build_python_package, fetch_pypi):
    version = "{version}"
    return build_python_package(
        pname="{pname}",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "{pname}",
            version,
            kind="wheel",
            {pins},
        ),
        imports_check=[],
    )
'''


def _wheel(folder: Path, name: str, version: str, tag: str) -> Path:
    module = name.replace("-", "_")
    return make_wheel(folder, name, version, {f"{module}.py": f"TAG = {tag!r}\n"}, tag=tag)


@pytest.fixture
def spin_index(
    tmp_path: Path, use_index: BuildIndex, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """spin 1.0 and 2.0, lame, gone, future, dual, relic and plain 1.0 (an sdist alone) on an
    index beside the build index (for the builder's toolchain); the published files by tag (or
    name)."""
    build = tmp_path / "dists"
    build.mkdir()
    wheels = {tag: _wheel(build, "spin", "1.0", tag) for tag in SPIN_PINNED + SPIN_NOT_PINNED}
    wheels["2.0"] = _wheel(build, "spin", "2.0", f"{PY}-{PY}-manylinux_2_17_{ARCH}")
    wheels["lame"] = _wheel(build, "lame", "1.0", f"{PY}-{PY}-win_amd64")
    wheels["gone"] = _wheel(build, "gone", "1.0", f"{OTHER}-{OTHER}-manylinux_2_17_{ARCH}")
    wheels["future"] = _wheel(build, "future", "1.0", "py3-none-any")
    wheels["pure"] = _wheel(build, "dual", "1.0", "py3-none-any")
    wheels["compiled"] = _wheel(build, "dual", "1.0", f"{PY}-{PY}-manylinux_2_17_{ARCH}")
    wheels["relic"] = _wheel(build, "relic", "1.0", "cp39-cp39-win_amd64")  # no interpreter pinned
    wheels["plain"] = make_sdist(build, "plain", "1.0", {"plain.py": ""})
    url = write_index(tmp_path / "index", wheels.values(), {wheels["future"].name: ">=3.99"})
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", url)
    return wheels


def _recipes(folder: Path, **recipes: tuple[str, str, str]) -> Path:
    """Recipe modules: attribute -> (pname, version, the pins' argument as written)."""
    folder.mkdir(exist_ok=True)
    for attr, (pname, version, pins) in recipes.items():
        (folder / f"{attr}.py").write_text(RECIPE.format(pname=pname, version=version, pins=pins))
    return folder


def _installed_tag(pkgs, attr: str) -> str:
    """Build `attr` and read which wheel it was made from (its module says)."""
    drv = pkgs[attr].drv
    store = Store.default()
    realise([drv], store, BuildOptions(log=io.StringIO()))
    site = Path(drv.path(store=store)) / pkgs[attr].python.site_packages
    return (site / f"{attr}.py").read_text().split("'")[1]


# -- choosing among the pins -----------------------------------------------------------------


def _pins(*tags: str, version: str = "1.0") -> dict[str, str]:
    return {f"spin-{version}-{tag}.whl": "sha256-" + "A" * 43 + "=" for tag in tags}


def test_the_best_pin_for_the_tags_wins() -> None:
    pins = _pins("cp312-cp312-manylinux_2_17_x86_64", "cp312-abi3-manylinux_2_17_x86_64")
    tags = ("cp312-cp312-manylinux_2_36_x86_64", "cp312-cp312-manylinux_2_17_x86_64")
    abi3 = ("cp313-abi3-manylinux_2_17_x86_64", "cp312-abi3-manylinux_2_17_x86_64")
    assert choose_pinned("spin", "1.0", pins, tags)[0].startswith("spin-1.0-cp312-cp312-")
    assert (
        choose_pinned("spin", "1.0", pins, abi3)[0]
        == "spin-1.0-cp312-abi3-manylinux_2_17_x86_64.whl"
    )


def test_of_wheels_that_differ_by_build_tag_alone_the_higher_build_wins() -> None:
    """As pip and uv: a rebuilt wheel (build tag 2) replaces the first (1, or none), whether
    the index lists it first or last, for the index's choice, update-pins' and the pins'."""
    builds = ("", "1-", "2-")
    for order in (builds, builds[::-1]):
        files = [_dist("py3-none-any", build) for build in order]
        assert best_wheel(files, list(parse_tag("py3-none-any"))) == files[order.index("2-")]
        assert list(files_to_pin(files)[0]) == ["spin-1.0-2-py3-none-any.whl"]
        pins = {f.filename: "sha256-" + "A" * 43 + "=" for f in files}
        chosen = choose_pinned("spin", "1.0", pins, ("py3-none-any",))[0]
        assert chosen == "spin-1.0-2-py3-none-any.whl"
    # A better tag still wins over a higher build.
    files = [_dist("py3-none-any", "9-"), _dist(f"{PY}-none-any")]
    assert best_wheel(files, [*parse_tag(f"{PY}-none-any"), *parse_tag("py3-none-any")]) == files[1]


def test_a_platform_without_a_pin_is_named_with_the_command_that_pins_it() -> None:
    """Pins that lack a file the release may have (none at all yet, or none for this
    interpreter on a platform pinned for another) are missing, not a release's limit."""
    pins = _pins("cp312-cp312-manylinux_2_17_x86_64", "cp313-cp313-win_amd64")
    for missing in (pins, {}):
        with pytest.raises(NoPinnedWheel) as info:
            choose_pinned("spin", "1.0", missing, ("cp312-cp312-win_amd64", "py3-none-any"))
        assert not isinstance(info.value, UnsupportedInterpreter)
        assert "no pinned wheel for cp312-cp312-win_amd64" in str(info.value)
        info.value.name_attribute("spin")
        assert "pybuild update-pins spin" in info.value.hint


def _pinning_again_is_the_last_resort(hint: str) -> None:
    """Whole pins were every file of the release when they were checked, which that answer
    remembers: the hint's way out is another interpreter, platform or release, and pinning
    again only in case the index has gained wheels since."""
    assert not hint.startswith("`pybuild update-pins")
    assert "if the index has gained wheels since, `pybuild update-pins ATTR`" in hint


def test_a_system_older_than_every_wheel_of_its_platform_is_told_so() -> None:
    """numpy's cp312 Linux wheels need glibc 2.27: on CentOS 7 (2.17) the pins are whole and
    pinning again finds nothing, so the release is unsupported there, by the system's age."""
    pins = _pins(
        *(f"cp3{minor}-cp3{minor}-manylinux_2_27_x86_64" for minor in range(10, 15)),
        *(f"cp3{minor}-cp3{minor}-macosx_10_13_x86_64" for minor in range(10, 15)),
    )
    centos = ("cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_x86_64")
    with pytest.raises(UnsupportedInterpreter) as info:
        choose_pinned("spin", "1.0", pins, centos, lambda: True)
    assert "pinned wheels for this interpreter need glibc 2.27 or newer" in str(info.value)
    assert "and this machine has glibc 2.17" in str(info.value)
    _pinning_again_is_the_last_resort(info.value.hint)
    old_mac = ("cp312-cp312-macosx_10_9_x86_64", "cp312-cp312-macosx_10_9_universal2")
    with pytest.raises(UnsupportedInterpreter, match=r"need macOS 10\.13 or newer"):
        choose_pinned("spin", "1.0", pins, old_mac, lambda: True)
    # A newer system takes the wheel; pins not known to be whole still say pin again.
    newer = ("cp312-cp312-manylinux_2_36_x86_64", "cp312-cp312-manylinux_2_27_x86_64")
    assert choose_pinned("spin", "1.0", pins, newer)[0].endswith("manylinux_2_27_x86_64.whl")
    with pytest.raises(NoPinnedWheel) as missing:
        choose_pinned("spin", "1.0", pins, centos, lambda: False)
    assert not isinstance(missing.value, UnsupportedInterpreter)


def test_a_platform_the_release_has_no_wheel_for_is_unsupported() -> None:
    """Pins for other platforms alone, with every interpreter, that are every file of the
    release: update-pins found none for this one, so the recipe cannot exist here (nixpkgs'
    meta.platforms), and pinning again would not help."""
    pins = _pins(*(f"cp3{minor}-cp3{minor}-win_amd64" for minor in range(10, 14)))
    tags = ("cp311-cp311-manylinux_2_36_x86_64", "cp311-cp311-manylinux_2_17_x86_64")
    with pytest.raises(UnsupportedInterpreter) as info:
        choose_pinned("spin", "1.0", pins, tags, lambda: True)
    assert str(info.value).startswith("spin 1.0 does not support manylinux_x86_64: ")
    assert "the pinned wheels are for win_amd64" in str(info.value)
    _pinning_again_is_the_last_resort(info.value.hint)
    # packaging from 26.4 puts the bare linux tag first: the platform is the first named one.
    with pytest.raises(UnsupportedInterpreter, match="does not support manylinux_x86_64"):
        choose_pinned("spin", "1.0", pins, ("cp311-cp311-linux_x86_64", *tags), lambda: True)
    # Nor by pins not known to be the release's every file (a subset pinned by hand).
    for complete in (None, lambda: False):
        with pytest.raises(NoPinnedWheel) as missing:
            choose_pinned("spin", "1.0", pins, tags, complete)
        assert not isinstance(missing.value, UnsupportedInterpreter)


def test_an_interpreter_the_release_has_no_wheel_for_on_this_platform_is_unsupported() -> None:
    """Whole pins with wheels for this interpreter elsewhere and for this platform with other
    interpreters: the release has none for the pair, and pinning again would find none."""
    pins = _pins("cp311-cp311-win_amd64", "cp313-cp313-manylinux_2_17_x86_64")
    tags = ("cp311-cp311-manylinux_2_36_x86_64", "cp311-cp311-manylinux_2_17_x86_64")
    with pytest.raises(UnsupportedInterpreter) as info:
        choose_pinned("spin", "1.0", pins, tags, lambda: True)
    message = str(info.value)
    assert message.startswith("spin 1.0 does not support cp311 on manylinux_x86_64: ")
    assert "the pinned cp311 wheels are for win_amd64" in message
    assert "manylinux_x86_64 ones for cp313" in message
    _pinning_again_is_the_last_resort(info.value.hint)
    for complete in (None, lambda: False):  # a subset pinned by hand lacks the file
        with pytest.raises(NoPinnedWheel) as missing:
            choose_pinned("spin", "1.0", pins, tags, complete)
        assert not isinstance(missing.value, UnsupportedInterpreter)


def test_a_platform_update_pins_never_pins_is_unsupported_by_the_pins() -> None:
    """Pins cover the platforms update-pins pins and no others (musllinux, Windows on arm64,
    32-bit or other Linux machines): pinning again would not add this one's wheel, complete
    pins or not, so the error names the platforms pins cover and what would serve it."""
    pins = _pins(*(f"cp3{minor}-cp3{minor}-win_amd64" for minor in range(10, 14)))
    machines = {
        "musllinux_x86_64": ("cp311-cp311-linux_x86_64", "cp311-cp311-musllinux_1_2_x86_64"),
        "win_arm64": ("cp311-cp311-win_arm64",),
        "manylinux_i686": ("cp311-cp311-manylinux_2_17_i686", "cp311-cp311-linux_i686"),
    }
    for platform_name, tags in machines.items():
        for complete in (None, lambda: False, lambda: True):
            with pytest.raises(UnsupportedInterpreter) as info:
                choose_pinned("spin", "1.0", pins, (*tags, "py3-none-any"), complete)
            message = str(info.value)
            assert message.startswith(f"spin 1.0 does not support {platform_name}: ")
            assert "pins cover only the platforms update-pins pins" in message
            assert "manylinux_x86_64, manylinux_aarch64, macosx_arm64" in message
            assert "update-pins" not in info.value.hint
            assert "sdist" in info.value.hint and "pypi:spin" in info.value.hint
    # A wheel pinned by hand for such a platform is used.
    musl = _pins("cp311-cp311-musllinux_1_2_x86_64")
    chosen = choose_pinned("spin", "1.0", musl, machines["musllinux_x86_64"])[0]
    assert chosen == "spin-1.0-cp311-cp311-musllinux_1_2_x86_64.whl"


def test_an_interpreter_the_release_has_no_wheel_for_is_unsupported() -> None:
    pins = _pins("cp312-cp312-manylinux_2_17_x86_64", "cp313-cp313-win_amd64")
    tags = ("cp310-cp310-manylinux_2_17_x86_64", "py3-none-any")
    with pytest.raises(UnsupportedInterpreter, match=r"spin 1\.0 does not support cp310") as info:
        choose_pinned("spin", "1.0", pins, tags, lambda: True)
    assert "had no wheel for it when its pins were checked" in str(info.value)
    assert "the pinned wheels are for cp312, cp313" in str(info.value)
    _pinning_again_is_the_last_resort(info.value.hint)
    # An interpreter the pins were not written for is not known to be unsupported.
    with pytest.raises(NoPinnedWheel) as info:
        choose_pinned("spin", "1.0", pins, ("cp399-cp399-manylinux_2_17_x86_64",), lambda: True)
    assert not isinstance(info.value, UnsupportedInterpreter)
    # Nor by pins not known to be the release's every file.
    with pytest.raises(NoPinnedWheel) as info:
        choose_pinned("spin", "1.0", pins, tags)
    assert not isinstance(info.value, UnsupportedInterpreter)


# Evaluating a pinned recipe once its file is known: packaging is not loaded again.
REMEMBERED = """
import sys
from pybuild.errors import UnsupportedInterpreter
from pybuild.fetchers import fetch_pypi
pins = {pins!r}
for tags in ({tags!r}, ("py3-none-any",)):
    try:
        print(fetch_pypi("spin", "1.0", kind="wheel", hashes=pins, tags=tags,
                         python_version="3.11.7").name)
    except UnsupportedInterpreter as exc:
        print(type(exc).__name__)
print(sorted(m for m in sys.modules if m.startswith(("packaging.", "pybuild.pins"))))
"""


def test_a_pinned_choice_and_a_requires_python_answer_are_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second evaluation answers both from the file record, without importing packaging
    (more than a hundred recipes' worth of evaluation); each answer stays the one for its own
    tags and interpreter."""
    tags = ("cp312-cp312-manylinux_2_17_x86_64", "py3-none-any")
    compiled, pure = (f"spin-1.0-{tag}.whl" for tag in tags)
    pins = {compiled: hash_bytes(b"compiled").sri, pure: hash_bytes(b"pure").sri}
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())  # no index is asked
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    remember_files(
        [
            (pins[compiled], "spin", "1.0", "wheel", f"file:///{compiled}", compiled, ">=3.99"),
            (pins[pure], "spin", "1.0", "wheel", f"file:///{pure}", pure, ">=3.8"),
        ]
    )
    probe = [sys.executable, "-c", REMEMBERED.format(pins=pins, tags=tags)]
    runs = [subprocess.run(probe, capture_output=True, text=True, check=True) for _ in "12"]
    first, second = (run.stdout.splitlines() for run in runs)
    assert first[:2] == second[:2] == ["UnsupportedInterpreter", pure]
    assert "packaging.tags" in first[2] and "pybuild.pins" in first[2]
    assert second[2] == "[]"


def test_a_remembered_choice_is_made_again_by_other_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to the code that chooses (or to packaging) is not hidden by old answers."""
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())  # no index is asked
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    tags = ("py3-none-any",)
    pins = {"spin-1.0-py3-none-any.whl": hash_bytes(b"pure").sri}
    [(name, sri)] = pins.items()
    remember_files([(sri, "spin", "1.0", "wheel", f"file:///{name}", name, None)])
    made: list[str] = []
    choose = pybuild.pins.choose_pinned
    monkeypatch.setattr(pybuild.pins, "choose_pinned", lambda *a: made.append(a[0]) or choose(*a))
    for _ in range(2):
        assert fetch_pypi("spin", "1.0", kind="wheel", hashes=pins, tags=tags).name == name
    assert made == ["spin"]
    monkeypatch.setattr(pybuild.fetchers, "_deciders", lambda: "other rules")
    assert fetch_pypi("spin", "1.0", kind="wheel", hashes=pins, tags=tags).name == name
    assert made == ["spin", "spin"]


def test_the_toolchains_wheels_must_allow_the_sets_interpreter_not_pybuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A toolchain wheel whose Requires-Python excludes the set's interpreter is refused for
    that set, whatever interpreter runs pybuild."""
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())  # no index is asked
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    files = {name: f"{name}-{version}-py3-none-any.whl" for name, (version, _) in TOOLCHAIN.items()}
    remember_files(
        (sri, name, version, "wheel", f"file:///{files[name]}", files[name], "<3.12")
        for name, (version, sri) in TOOLCHAIN.items()
    )
    assert {w.name for w in toolchain_wheels(FAKE_PYTHON)} == set(files.values())  # 3.11.7
    new = changed(FAKE_PYTHON, version="3.12.1", tags=("cp312-cp312-linux_x86_64",))
    with pytest.raises(UnsupportedInterpreter, match=r"Python 3\.12\.1"):
        toolchain_wheels(new)


def test_a_pin_of_another_release_is_refused() -> None:
    with pytest.raises(UsageError, match="a file of another project or release"):
        choose_pinned("spin", "1.0", _pins("py3-none-any", version="2.0"), None)


def _dist(tag: str, build: str = "") -> DistFile:
    name = f"spin-1.0-{build}{tag}.whl"
    tags = frozenset(parse_tag(tag))
    return DistFile(
        filename=name, url=name, sha256="0" * 64, kind="wheel", version=Version("1.0"), tags=tags
    )


def test_the_files_to_pin_are_one_per_machine_kind_and_os_release() -> None:
    chosen = [
        "cp310-cp310-manylinux2014_x86_64",
        "cp310-cp310-manylinux_2_28_x86_64",  # a newer glibc picks this one
        "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
        "cp311-cp311-macosx_10_9_x86_64",
        "cp311-cp311-macosx_14_0_x86_64",  # macOS 14 picks this one
        "cp312-abi3-win_amd64",  # every later interpreter on Windows
        "py3-none-macosx_11_0_arm64",  # every interpreter on Apple silicon
    ]
    never = ["cp310-cp310-musllinux_1_2_x86_64", "cp311-cp311-win32", "cp39-cp39-win_amd64"]
    pinned, missing = files_to_pin([_dist(t) for t in chosen + never])
    assert sorted(pinned) == sorted(f"spin-1.0-{t}.whl" for t in chosen)
    names = {t.name for t in missing}
    assert "cp310 win_amd64" in names and "cp312 win_amd64" not in names
    assert "cp314 macosx_arm64" not in names and "cp314 manylinux_aarch64" in names


def test_a_pure_wheel_is_one_pin_for_everything() -> None:
    pinned, missing = files_to_pin([_dist("py3-none-any")])
    assert list(pinned) == ["spin-1.0-py3-none-any.whl"] and missing == []


# -- update-pins on a recipe, and the build ------------------------------------------------


@on_manylinux
def test_update_pins_writes_every_file_and_the_build_picks_this_machines(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    recipes = _recipes(tmp_path / "recipes", spin=("spin", "1.0", "hashes={}"))
    assert main(["update-pins", "spin", "--recipes", str(recipes)]) == 0
    text = (recipes / "spin.py").read_text()
    for tag in SPIN_PINNED:
        path = spin_index[tag]
        assert f'"{path.name}"' in text and hash_file(path).sri in text
    for tag in SPIN_NOT_PINNED:
        assert spin_index[tag].name not in text
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--line-length", "100", str(recipes)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    pkgs = package_set(recipes=[recipes])
    assert _installed_tag(pkgs, "spin") == f"{PY}-{PY}-manylinux_2_28_{ARCH}"


@on_manylinux
def test_once_pinned_a_recipe_evaluates_without_the_index(
    spin_index: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipes = _recipes(tmp_path / "recipes", spin=("spin", "1.0", "hashes={}"))
    update_pins(recipes / "spin.py")
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    src = package_set(recipes=[recipes]).spin.attrs["src"]
    assert src.name.endswith(f"-manylinux_2_28_{ARCH}.whl")


@on_manylinux
def test_a_pinned_file_the_index_gives_with_another_hash_is_refused(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    """A published file whose hash changed is a replaced or tampered upload: update-pins
    wrote the index's hash over the recipe's without a word; it refuses, naming both."""
    recipes = _recipes(tmp_path / "recipes", spin=("spin", "1.0", "hashes={}"))
    update_pins(recipes / "spin.py")
    text = (recipes / "spin.py").read_text()
    name = spin_index[SPIN_PINNED[1]].name
    right = hash_file(spin_index[SPIN_PINNED[1]]).sri
    assert right in text
    wrong = "sha256-" + "A" * 43 + "="
    (recipes / "spin.py").write_text(text.replace(right, wrong))
    with pytest.raises(UsageError) as err:
        update_pins(recipes / "spin.py")
    assert f"the index's {name} is another file than the one pinned: its hash is {right}" in str(
        err.value
    )
    assert "remove its pin from the recipe" in err.value.hint
    assert wrong in (recipes / "spin.py").read_text()  # nothing written


@on_manylinux
def test_a_single_hash_becomes_pins_and_version_moves_the_release(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    single = f'hash="{hash_file(spin_index[SPIN_PINNED[1]]).sri}"'
    recipes = _recipes(tmp_path / "recipes", spin=("spin", "1.0", single))
    [update] = update_pins(recipes / "spin.py", version="2.0")
    assert update.changed and update.version == "2.0"
    text = (recipes / "spin.py").read_text()
    assert 'version = "2.0"' in text and "hash=" not in text
    assert list(update.pinned) == [spin_index["2.0"].name]
    assert _installed_tag(package_set(recipes=[recipes]), "spin").endswith("manylinux_2_17_" + ARCH)
    [again] = update_pins(recipes / "spin.py")
    assert not again.changed


@on_manylinux
def test_a_missing_platform_and_an_unsupported_interpreter_are_named(
    spin_index: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipes = _recipes(
        tmp_path / "recipes",
        lame=("lame", "1.0", "hashes={}"),  # this interpreter, Windows only
        gone=("gone", "1.0", "hashes={}"),  # another interpreter only
        spin=("spin", "1.0", "hashes={}"),
    )
    assert main(["update-pins", "--all", "--recipes", str(recipes)]) == 0
    # What the release lacks on every platform, or with every interpreter, is named alone.
    others = ", ".join(f"cp3{minor}" for minor in range(10, 15) if f"cp3{minor}" != PY)
    platforms = "manylinux_x86_64, manylinux_aarch64, macosx_arm64, macosx_x86_64"
    assert (
        f"lame 1.0: 1 wheel pinned in {recipes / 'lame.py'} (no file for {others}, {platforms})\n"
        in (capsys.readouterr().out)
    )
    _recipes(recipes, bare=("spin", "1.0", "hashes={}"))  # not pinned yet
    pkgs = package_set(recipes=[recipes])
    with pytest.raises(NoPinnedWheel) as info:
        pkgs.bare.drv  # noqa: B018 - evaluating is the point
    assert not isinstance(info.value, UnsupportedInterpreter)
    # a recipe folder's file, which update-pins takes as it is (by attribute it looks in the
    # default set alone)
    assert f"`pybuild update-pins {recipes / 'bare.py'}`" in info.value.hint
    with pytest.raises(
        UnsupportedInterpreter, match=rf"lame 1\.0 does not support manylinux_{ARCH}"
    ):
        pkgs.lame.drv  # noqa: B018
    with pytest.raises(UnsupportedInterpreter, match=rf"gone 1\.0 does not support {PY}") as gone:
        pkgs.gone.drv  # noqa: B018
    # pinning again, the last resort, is given for the recipe's file, as for missing pins
    assert f"since, `pybuild update-pins {recipes / 'gone.py'}` pins them" in gone.value.hint
    only = ["build", "--all", "--no-default-recipes", "--recipes", str(recipes)]
    status = main([*only, "--json"])
    rows = {row["attr"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["gone"]["status"] == rows["lame"]["status"] == "unsupported"
    assert "the pinned wheels are for win_amd64" in rows["lame"]["error"]
    assert (
        rows["bare"]["status"] == "eval-failed"
        and f"update-pins {recipes / 'bare.py'}" in rows["bare"]["error"]
    )
    assert rows["spin"]["status"] == "built"
    assert status == 1  # bare failed; gone and lame alone would not fail the run
    # A dry run evaluates alike: it names what will not be built and plans the rest.
    status = main([*only, "--dry-run"])
    shown = capsys.readouterr().out
    assert re.search(r"^unsupported +lame ", shown, re.M) and "eval-failed" in shown
    assert status == 1
    (recipes / "bare.py").unlink()
    assert main([*only, "--dry-run"]) == 0


@on_manylinux
def test_the_pins_of_a_file_are_told_to_be_written_by_naming_the_file(
    spin_index: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``build -f proj/t3.py x``, x's fetch_pypi written in the file with ``hashes={}``: the
    hint said `pybuild update-pins ATTR`, and `update-pins x` looks for x in the default set,
    which has none. No set names the recipe, so the file its pins are written in is named,
    as update-pins takes it and as the user types it (below the working folder, relative)."""
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "t3.py").write_text(
        "from pybuild import package_set\n"
        "pkgs = package_set()\n"
        "x = pkgs.build_python_package(\n"
        "    pname='spin', version='1.0', format='wheel',\n"
        "    src=pkgs.fetch_pypi('spin', '1.0', kind='wheel', hashes={}),\n"
        ")\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--dry-run", "-f", "proj/t3.py", "x"]) == 1
    err = capsys.readouterr().err
    assert "hint: `pybuild update-pins proj/t3.py` pins every file the index has" in err
    assert "`pybuild update-pins proj/t3.py --version V`" in err
    assert main(["update-pins", "proj/t3.py"]) == 0
    assert main(["build", "--dry-run", "-f", "proj/t3.py", "x"]) == 0


@on_manylinux
def test_a_recipe_that_names_its_tags_pins_the_one_file_they_choose(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    """A recipe that asks for the pure wheel (by its tags): pinning the compiled ones would
    leave the recipe with no file its tags choose."""
    pins = 'tags=("py3-none-any",), hash=""'
    recipes = _recipes(tmp_path / "recipes", dual=("dual", "1.0", pins))
    [update] = update_pins(recipes / "dual.py")
    assert list(update.pinned) == [spin_index["pure"].name] and update.missing == []
    assert _installed_tag(package_set(recipes=[recipes]), "dual") == "py3-none-any"
    bad = _recipes(tmp_path / "bad", dual=("dual", "1.0", 'tags=("cp39-abi3-win32",), hash=""'))
    with pytest.raises(UsageError, match="no wheel of the release fits the recipe's tags"):
        update_pins(bad / "dual.py")


def test_update_pins_refuses_what_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "sdist.py").write_text(
        'def recipe(fetch_pypi):\n    return fetch_pypi("six", "1.0", hash="")\n'
    )
    (recipes / "named.py").write_text(
        'def recipe(fetch_pypi, v):\n    return fetch_pypi("six", v, kind="wheel", hashes={})\n'
    )
    with pytest.raises(UsageError, match=r'no fetch_pypi\(\.\.\., kind="wheel"\) call'):
        update_pins(recipes / "sdist.py")
    with pytest.raises(UsageError, match="the version must be a string, or a name assigned one"):
        update_pins(recipes / "named.py")
    assert main(["update-pins", "--recipes", str(recipes)]) == 2  # a missing argument
    assert "name the recipes to pin" in capsys.readouterr().err
    assert main(["update-pins", "--all", "--version", "2", "--recipes", str(recipes)]) == 1
    assert main(["update-pins", "nosuch", "--recipes", str(recipes)]) == 1
    assert "has no attribute 'nosuch'" in capsys.readouterr().err


def test_a_release_whose_requires_python_excludes_the_interpreter_is_unsupported(
    spin_index: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip would refuse it: so does the evaluation, from the index's Requires-Python, and
    from what it remembered once the index is gone."""
    recipes = _recipes(tmp_path / "recipes", future=("future", "1.0", "hashes={}"))
    update_pins(recipes / "future.py")
    with pytest.raises(UnsupportedInterpreter, match=r"it requires Python >=3\.99"):
        package_set(recipes=[recipes]).future.drv  # noqa: B018 - evaluating is the point
    sri = hash_file(spin_index["future"]).sri
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    with pytest.raises(UnsupportedInterpreter, match=r"future 1\.0 does not support Python 3"):
        fetch_pypi("future", "1.0", sri, kind="wheel", python_version="3.11.7")
    assert fetch_pypi("future", "1.0", sri, kind="wheel", python_version="3.99.0").is_fixed_output


@on_manylinux
def test_update_pins_fills_module_constants_as_an_overlay_writes_them(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    overlay = tmp_path / "spin_older.py"
    overlay.write_text(
        'VERSION = "2.0"\nHASHES = {}\n\n\ndef overlay(final, prev):\n    return {"spin": '
        'prev.spin.override_python_attrs(src=prev.fetch_pypi("spin", VERSION, kind="wheel",'
        " hashes=HASHES))}\n"
    )
    [update] = update_pins(overlay, version="1.0")
    text = overlay.read_text()
    assert text.startswith('VERSION = "1.0"\nHASHES = {\n    "spin-1.0-')
    assert len(update.pinned) == len(SPIN_PINNED)
    assert all(f'"{name}"' in text for name in update.pinned)


@on_manylinux
def test_a_remembered_wheel_serves_only_the_interpreters_its_tags_fit(
    spin_index: dict[str, Path],
) -> None:
    """The hash of this interpreter's wheel, once its file is remembered, does not make the
    same recipe evaluated for another Python install that wheel: the other Python's own wheel
    is looked up, and its hash is a mismatch that names the file the pin is for."""
    here = spin_index[f"{PY}-{PY}-manylinux_2_28_{ARCH}"]
    pinned = hash_file(here).sri
    ours = fetch_pypi("spin", "1.0", pinned, kind="wheel")
    assert ours.name == here.name  # found on the index, and remembered
    other = f"{OTHER}-{OTHER}-manylinux_2_17_{ARCH}"
    with pytest.raises(pybuild.errors.HashMismatch) as info:
        fetch_pypi("spin", "1.0", pinned, kind="wheel", tags=(other,))
    assert info.value.actual == hash_file(spin_index[other]).sri
    assert f"the pinned hash is that of {here.name}, a wheel for another" in info.value.hint
    assert fetch_pypi("spin", "1.0", pinned, kind="wheel").name == here.name


# A recipe that fetches a wheel of another package besides its own (a tool it overrides).
TOOLED = """def recipe(build_python_package, fetch_pypi, setuptools):
    version = "1.0"
    tool = setuptools.override_python_attrs(
        src=fetch_pypi("future", "1.0", kind="wheel", hashes={}),
    )
    return build_python_package(
        pname="spin",
        version=version,
        src=SRC,
        build_system=[tool],
    )
"""


@on_manylinux
def test_version_moves_the_recipes_own_package_and_leaves_a_tools_wheel(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    recipe = tmp_path / "spin.py"
    recipe.write_text(TOOLED.replace("SRC", 'fetch_pypi("spin", version, kind="wheel", hashes={})'))
    own, tool = update_pins(recipe, version="2.0")
    assert (own.pname, own.version, own.own) == ("spin", "2.0", True)
    assert list(own.pinned) == [spin_index["2.0"].name]
    assert (tool.pname, tool.version, tool.own) == ("future", "1.0", False)
    text = recipe.read_text()
    assert (
        'version = "2.0"' in text
        and 'fetch_pypi(\n            "future",\n            "1.0",' in text
    )


def test_version_refuses_a_recipe_whose_own_package_is_built_from_its_sdist(
    spin_index: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """update-pins writes wheels' pins: --version on a recipe built from its sdist says so,
    where the line of its fetch is, and moves no other package's wheel instead; without
    --version, the other package's wheel is pinned at its own release and said to be such."""
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    recipe = recipes / "spin.py"
    recipe.write_text(TOOLED.replace("SRC", 'fetch_pypi("spin", version, hash="")'))
    assert main(["update-pins", "spin", "--version", "2.0", "--recipes", str(recipes)]) == 1
    err = capsys.readouterr().err
    assert f"{recipe}:9: spin is built from its sdist" in err
    assert "pybuild prefetch spin==2.0" in err
    assert recipe.read_text() == TOOLED.replace("SRC", 'fetch_pypi("spin", version, hash="")')
    assert main(["update-pins", "spin", "--recipes", str(recipes)]) == 0
    out = capsys.readouterr().out
    assert f"future 1.0: 1 wheel pinned in {recipe} (not spin, the recipe's own package;" in out


def test_a_release_with_no_wheel_to_pin_is_refused_and_its_build_says_why(
    spin_index: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An sdist alone, or wheels of no interpreter pins cover, leave nothing to pin: update-pins
    says so at the recipe's call, with what would build it, and writes nothing; the build of
    pins left empty says the same, where its hint would send it back to update-pins."""
    recipes = _recipes(
        tmp_path / "recipes",
        plain=("plain", "1.0", 'hash=""'),
        relic=("relic", "1.0", "hashes={}"),
    )
    before = (recipes / "plain.py").read_text()
    assert main(["update-pins", "plain", "--recipes", str(recipes)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{recipes / 'plain.py'}:10: plain 1.0 has no wheel at all (its files are only an"
        " sdist: plain-1.0.tar.gz): there is no file to pin" in err
    )
    assert 'format="pyproject"' in err and "`pybuild prefetch plain==1.0`" in err
    assert f"`pybuild update-pins {recipes / 'plain.py'} --version V` moves it" in err
    assert (recipes / "plain.py").read_text() == before
    with pytest.raises(UsageError, match=r"relic 1\.0 has no wheel for CPython 3\.10 to 3\.14 "):
        update_pins(recipes / "relic.py")
    (recipes / "plain.py").write_text(before.replace('hash=""', "hashes={}"))
    with pytest.raises(UsageError, match=r"plain 1\.0 has no wheel for CPython") as info:
        package_set(recipes=[recipes]).plain.drv  # noqa: B018 - evaluating is the point
    assert not isinstance(info.value, NoPinnedWheel) and "update-pins" not in info.value.hint
    assert "`pybuild prefetch plain==1.0`" in info.value.hint


def test_recipes_pinned_together_are_written_once_every_one_is_resolved(
    spin_index: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A release the index lacks fails update-pins at the recipe's call, and the recipes
    resolved before it are left as they were, as uv lock writes no lock file then."""
    recipes = _recipes(
        tmp_path / "recipes",
        spin=("spin", "1.0", "hashes={}"),
        zzbad=("future", "0.0.999", "hashes={}"),
    )
    before = (recipes / "spin.py").read_text()
    assert main(["update-pins", "--all", "--recipes", str(recipes)]) == 1
    err = capsys.readouterr().err
    assert f"error: {recipes / 'zzbad.py'}:10: future has no version 0.0.999; versions: 1.0" in err
    assert "note: none of the 2 recipes was written: all are, or none" in err
    assert (recipes / "spin.py").read_text() == before
    assert main(["update-pins", "spin", "--recipes", str(recipes)]) == 0
    assert (recipes / "spin.py").read_text() != before


def test_a_call_on_one_line_is_laid_out_as_ruff_format_keeps_it(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    """Pins over several lines in a call written on one line: each argument goes on a line
    of its own, as ruff format would rewrap them, the version moved in place among them."""
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    recipe = recipes / "spin.py"
    recipe.write_text(
        "def recipe(fetch_pypi):\n"
        '    return fetch_pypi("spin", "1.0", kind="wheel", hash="")  # spin\n'
    )
    update_pins(recipe, version="2.0")
    wheel = spin_index["2.0"]
    assert recipe.read_text() == (
        "def recipe(fetch_pypi):\n"
        "    return fetch_pypi(\n"
        '        "spin",\n'
        '        "2.0",\n'
        '        kind="wheel",\n'
        "        hashes={\n"
        f'            "{wheel.name}": (\n'
        f'                "{hash_file(wheel).sri}"\n'
        "            ),\n"
        "        },\n"
        "    )  # spin\n"
    )
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--line-length", "100", str(recipe)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_pins_that_change_nothing_leave_the_recipe_as_written(
    spin_index: dict[str, Path], tmp_path: Path
) -> None:
    """A single hash= of the release's one file, or the same pins in another layout or
    spelling, is what update-pins would write: the file is left alone, not rewritten."""
    wheel = spin_index["future"]
    sri, hex_hash = hash_file(wheel).sri, hash_file(wheel).hex
    recipes = _recipes(
        tmp_path / "recipes",
        single=("future", "1.0", f'hash="{sri}"'),
        oneline=("future", "1.0", f'hashes={{"{wheel.name}": "sha256:{hex_hash}"}}'),
    )
    for name in ("single", "oneline"):
        before = (recipes / f"{name}.py").read_text()
        [update] = update_pins(recipes / f"{name}.py")
        assert not update.changed and update.pinned == {wheel.name: sri}
        assert (recipes / f"{name}.py").read_text() == before


@on_manylinux
def test_pins_of_part_of_a_release_lack_a_file_the_release_has(
    spin_index: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Pins written by hand for another interpreter alone do not say the release has no
    wheel for this one: spin 1.0 has, so the recipe lacks its pin (NoPinnedWheel, a failure
    of build --all whose hint pins it). The same pins of gone 1.0, whose one file they are,
    say so: the index is asked once which it is, and the answer remembered, as update-pins
    remembers that the pins it writes are every file."""
    other = spin_index[f"{OTHER}-{OTHER}-manylinux_2_17_{ARCH}"]

    def pins(wheel: Path) -> str:
        return f'hashes={{"{wheel.name}": "{hash_file(wheel).sri}"}}'

    recipes = _recipes(
        tmp_path / "recipes",
        part=("spin", "1.0", pins(other)),
        gone=("gone", "1.0", pins(spin_index["gone"])),
        lame=("lame", "1.0", "hashes={}"),
    )
    update_pins(recipes / "lame.py")
    pkgs = package_set(recipes=[recipes])
    with pytest.raises(NoPinnedWheel) as info:
        pkgs.part.drv  # noqa: B018 - evaluating is the point
    assert not isinstance(info.value, UnsupportedInterpreter)
    assert f"`pybuild update-pins {recipes / 'part.py'}`" in info.value.hint
    with pytest.raises(UnsupportedInterpreter, match=rf"gone 1\.0 does not support {PY}"):
        pkgs.gone.drv  # noqa: B018
    only = ["build", "--all", "--no-default-recipes", "--recipes", str(recipes), "--json"]
    assert main(only) == 1
    rows = {row["attr"]: row for row in json.loads(capsys.readouterr().out)}
    assert (
        rows["part"]["status"] == "eval-failed"
        and f"update-pins {recipes / 'part.py'}" in rows["part"]["error"]
    )
    assert rows["gone"]["status"] == rows["lame"]["status"] == "unsupported"
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())  # no index is asked
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    pkgs = package_set(recipes=[recipes])
    for attr, name in (("gone", PY), ("lame", f"manylinux_{ARCH}")):
        with pytest.raises(UnsupportedInterpreter, match=rf"does not support {name}"):
            pkgs[attr].drv  # noqa: B018


def test_a_recipe_no_folder_has_is_named_with_the_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheels, other = _recipes(tmp_path / "wheels"), _recipes(tmp_path / "other")
    (wheels / "mmh3.py").write_text(RECIPE.format(pname="mmh3", version="1.0", pins="hashes={}"))
    assert main(["update-pins", "--recipes", str(wheels), "mmh33"]) == 1
    err = capsys.readouterr().err
    assert f"the recipe folder {wheels} has no attribute 'mmh33'; did you mean 'mmh3'?" in err
    both = ["update-pins", "--recipes", str(wheels), "--recipes", str(other), "mmh33"]
    assert main(both) == 1
    err = capsys.readouterr().err
    assert f"the set of recipe folders {wheels}, {other} has no attribute 'mmh33'" in err


@on_manylinux
def test_a_pin_the_index_contradicts_says_how_update_pins_repins_it(
    spin_index: dict[str, Path],
) -> None:
    """The hint said "`pybuild update-pins` re-pins spin 1.0": that command names no recipe,
    and update-pins refuses a pin of another file until it is deleted. It says both now (the
    recipe by no name: a variant's attribute or an overlay's file is not the project's)."""
    here = spin_index[f"{PY}-{PY}-manylinux_2_28_{ARCH}"]
    wrong = hash_file(spin_index[f"{OTHER}-{OTHER}-manylinux_2_17_{ARCH}"]).sri
    with pytest.raises(pybuild.errors.HashMismatch) as info:
        fetch_pypi("spin", "1.0", kind="wheel", hashes={here.name: wrong})
    assert info.value.hint.startswith(
        f"if the index is right, delete the pin of {here.name} from the recipe's hashes= and"
        " run `pybuild update-pins` on the recipe (its attribute, with --recipes DIR"
    )
