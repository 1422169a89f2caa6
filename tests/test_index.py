"""The package index client, against local indexes served from disk and over loopback HTTP."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import socket
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from packaging.tags import Tag
from packaging.utils import parse_sdist_filename
from packaging.version import Version

from pybuild.errors import HashMismatch, UsageError
from pybuild.hashing import hash_file, parse_hash
from pybuild.index import (
    DistFile,
    Index,
    IndexConfigError,
    IndexDisabled,
    IndexUnavailable,
    InvalidIndexPage,
    NoMatchingFile,
    ProjectNotFound,
    VersionNotFound,
    download,
    index_settings,
    index_urls,
)
from support import fixtures as _fixtures
from support.index import make_sdist, make_wheel, serve_index, write_index

# Until tests/conftest.py imports them for every module.
local_index = _fixtures.local_index
http_index = _fixtures.http_index

PURE = Tag("py3", "none", "any")


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy configured on the machine must not intercept the loopback test servers."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


@pytest.fixture(params=["file", "http"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def index(
    transport: str, local_index: _fixtures.LocalIndex, request: pytest.FixtureRequest
) -> Iterator[Index]:
    """An Index over the fixture index, by file:// or http:// as parametrised."""
    url = local_index.file_url if transport == "file" else request.getfixturevalue("http_index")
    with Index([url], timeout=10) as idx:
        yield idx


@pytest.fixture
def publish(transport: str) -> Iterator[Callable[[Path], str]]:
    """Turns an index folder into its URL over the parametrised transport."""
    with contextlib.ExitStack() as servers:

        def url_for(root: Path) -> str:
            if transport == "file":
                return root.resolve().as_uri()
            return servers.enter_context(serve_index(root))

        yield url_for


def test_files_lists_every_file_with_its_hash(
    index: Index, local_index: _fixtures.LocalIndex, transport: str
) -> None:
    files = index.files("Demo")  # any spelling of the name finds the normalised page
    expected = sorted(n for n in local_index.dists if n.startswith("demo"))
    assert sorted(f.filename for f in files) == expected
    for f in files:
        assert f.url.startswith(f"{transport}://")
        assert f.url.endswith(f"/files/{f.filename}")
        assert f.sha256 == hash_file(local_index.dists[f.filename]).hex
        assert f.kind == ("wheel" if f.filename.endswith(".whl") else "sdist")
        assert not f.yanked
    pure = next(f for f in files if f.filename == "demo-1.1-py3-none-any.whl")
    assert pure.tags == {PURE}
    assert pure.version == Version("1.1")
    assert index.files("demo") is files, "pages are fetched once per Index"


def test_find_sdist_by_version(index: Index) -> None:
    assert index.find("demo", "1.0").filename == "demo-1.0.tar.gz"
    found = index.find("demo", Version("1.1"), kind="sdist")
    assert (found.filename, found.kind, found.version) == (
        "demo-1.1.tar.gz",
        "sdist",
        Version("1.1"),
    )
    assert index.find("demo", "1.0.0").filename == "demo-1.0.tar.gz", "PEP 440 equality"


def test_find_wheel_follows_tag_priority(index: Index, local_index: _fixtures.LocalIndex) -> None:
    specific = f"demo-1.1-{local_index.best_tag}.whl"
    assert index.find("demo", "1.1", "wheel").filename == specific
    best = local_index.best_tag
    assert index.find("demo", "1.1", "wheel", tags=[best, PURE]).filename == specific
    assert index.find("demo", "1.1", "wheel", tags=[PURE, best]).filename.endswith("-any.whl")
    assert index.find("other", "0.1", "wheel").filename == "other-0.1-py3-none-any.whl"


def test_versions_sorted(index: Index) -> None:
    assert index.versions("demo") == [Version("1.0"), Version("1.1")]
    assert index.versions("OTHER") == [Version("0.1")]


def test_project_not_found_names_the_indexes(index: Index) -> None:
    with pytest.raises(ProjectNotFound) as caught:
        index.find("no-such-project", "1.0")
    assert caught.value.project == "no-such-project"
    assert index.urls[0] in str(caught.value)


def test_a_file_index_whose_folder_is_gone_is_unavailable_not_without_the_project(
    tmp_path: Path,
) -> None:
    """As an http index that does not answer: the project is not known to be absent (a
    stale plan may serve), where every project was said to be missing from it."""
    gone = (tmp_path / "no-such-index").as_uri() + "/"
    with Index([gone]) as idx, pytest.raises(IndexUnavailable) as caught:
        idx.files("demo")
    assert caught.value.url == gone
    assert "no such folder" in str(caught.value)


def test_later_index_is_searched_and_first_wins(
    local_index: _fixtures.LocalIndex, publish: Callable[[Path], str], tmp_path: Path
) -> None:
    empty = publish(tmp_path)
    with Index([empty, local_index.file_url, publish(local_index.root)]) as idx:
        files = idx.files("demo")
        assert len(files) == len([n for n in local_index.dists if n.startswith("demo")])
        assert all(f.url.startswith("file://") for f in files), "first index listing a file wins"
        with pytest.raises(ProjectNotFound) as caught:
            idx.files("missing")
        assert all(url in str(caught.value) for url in idx.urls)


def test_version_not_found_lists_versions(index: Index) -> None:
    with pytest.raises(VersionNotFound) as caught:
        index.find("demo", "2.0")
    assert caught.value.available == [Version("1.0"), Version("1.1")]
    assert "demo has no version 2.0; versions: 1.0, 1.1" in str(caught.value)


def test_version_not_found_shows_only_the_latest_of_many(
    publish: Callable[[Path], str], tmp_path: Path
) -> None:
    dists = [make_wheel(tmp_path, "many", f"1.{i}", {}) for i in range(20)]
    write_index(tmp_path / "index", dists)
    url = publish(tmp_path / "index")
    with pytest.raises(VersionNotFound) as caught:
        Index([url]).find("many", "9")
    message = str(caught.value)
    assert "1.5, 1.6" in message and message.endswith("1.19 (latest 15 of 20)")
    assert "1.4," not in message
    assert len(caught.value.available) == 20


def test_no_matching_file_lists_the_files(index: Index, local_index: _fixtures.LocalIndex) -> None:
    with pytest.raises(NoMatchingFile) as caught:
        index.find("other", "0.1", "sdist")
    assert "other 0.1 has no sdist; its files: other-0.1-py3-none-any.whl" in str(caught.value)
    with pytest.raises(NoMatchingFile) as caught:
        index.find("demo", "1.1", "wheel", tags=[Tag("cp27", "cp27mu", "win32")])
    assert "cp27-cp27mu-win32" in str(caught.value)
    assert set(caught.value.files) == {
        "demo-1.1.tar.gz",
        "demo-1.1-py3-none-any.whl",
        f"demo-1.1-{local_index.best_tag}.whl",
    }


def test_prefetch_says_first_that_requires_python_leaves_the_interpreter_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As numpy 2.4.6 on 3.10 (its wheels are for 3.11 and later, as its Requires-Python
    says): the reason first, not the interpreter's hundreds of tags and every wheel's name."""
    from pybuild.cli import main
    from pybuild.python.interpreter import Interpreter

    platforms = ("manylinux_2_17_x86_64", "musllinux_1_2_x86_64", "macosx_11_0_arm64", "win32")
    dists = [make_wheel(tmp_path, "future", "1.0", {}, tag=f"cp399-cp399-{p}") for p in platforms]
    dists.append(make_sdist(tmp_path, "future", "1.0", {}))
    future = write_index(tmp_path / "future", dists, {d.name: ">=3.99" for d in dists})
    for name, value in _fixtures.index_environ(future).items():
        monkeypatch.setenv(name, value)
    assert main(["prefetch", "--kind", "wheel", "future==1.0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: future 1.0 does not support Python {Interpreter.current().version}: it requires"
        " Python >=3.99 (Requires-Python, as the index lists it)\n"
    )
    assert "--python X.Y" in err and ".whl" not in err
    # for this Python after all: no wheel has its tags, and the files are a few and a count
    monkeypatch.setenv("PIP_INDEX_URL", write_index(tmp_path / "present", dists))
    assert main(["prefetch", "--kind", "wheel", "future==1.0"]) == 1
    err = capsys.readouterr().err
    assert "future 1.0 has no wheel compatible with the tags" in err
    assert err.count("future-1.0") == 3 and ", ... (5 files)" in err


def test_find_rejects_bad_arguments(index: Index) -> None:
    with pytest.raises(UsageError, match="kind must be"):
        index.find("demo", "1.1", "egg")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="not a valid version"):
        index.find("demo", "one")


def test_yanked_file_only_when_nothing_else_fits(
    publish: Callable[[Path], str], tmp_path: Path, local_index: _fixtures.LocalIndex
) -> None:
    best = local_index.best_tag
    dists = [
        make_wheel(tmp_path, "pkg", "1.0", {}),
        make_wheel(tmp_path, "pkg", "1.0", {}, tag=str(best)),
    ]
    root = tmp_path / "index"
    write_index(root, dists)
    page = root / "pkg" / "index.json"
    page.write_text(page.read_text().replace('"yanked": false', '"yanked": "broken"', 1))
    with Index([publish(root)]) as idx:
        yanked = [f for f in idx.files("pkg") if f.yanked]
        assert [f.filename for f in yanked] == [f"pkg-1.0-{best}.whl"]
        assert idx.find("pkg", "1.0", "wheel", tags=[best, PURE]).filename.endswith("-any.whl")
        assert idx.find("pkg", "1.0", "wheel", tags=[best]) == yanked[0]


def test_download_returns_hash(
    index: Index, local_index: _fixtures.LocalIndex, tmp_path: Path
) -> None:
    wheel = index.find("demo", "1.1", "wheel", tags=[PURE])
    dest = tmp_path / "sub" / wheel.filename
    got = index.download(wheel, dest)
    source = local_index.dists[wheel.filename]
    assert got == hash_file(source)
    assert dest.read_bytes() == source.read_bytes()
    assert dest.stat().st_mode & 0o777 == 0o644
    assert os.listdir(dest.parent) == [wheel.filename], "no temporary file left"
    # The module-level function works without an Index (its own connection for http).
    assert download(wheel, tmp_path / "again.whl", timeout=10) == got


def test_download_hash_mismatch_leaves_nothing(
    index: Index, local_index: _fixtures.LocalIndex, tmp_path: Path
) -> None:
    sdist = index.find("demo", "1.0")
    wrong = dataclasses.replace(sdist, sha256="00" * 32)
    dest = tmp_path / sdist.filename
    with pytest.raises(HashMismatch) as caught:
        index.download(wrong, dest)
    actual = hash_file(local_index.dists[sdist.filename]).sri
    assert caught.value.expected == parse_hash("00" * 32).sri
    assert caught.value.actual == actual
    assert caught.value.expected in str(caught.value) and actual in str(caught.value)
    assert caught.value.what == sdist.url
    assert list(tmp_path.iterdir()) == []


def test_download_of_missing_file(index: Index, tmp_path: Path) -> None:
    sdist = index.find("demo", "1.0")
    gone = dataclasses.replace(sdist, url=sdist.url.replace("demo-1.0", "demo-0.0"))
    with pytest.raises(IndexUnavailable) as caught:
        index.download(gone, tmp_path / "x.tar.gz")
    assert caught.value.url == gone.url
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('{"meta": {"api-version": "1.0"}, "name": "broken"}', "no 'files' list"),
        ('{"meta": {"api-version": "2.0"}, "files": []}', "api-version 2.0 is not supported"),
        ('{"files": [{"filename": "broken-1.0.tar.gz"}]}', "lacks filename or url"),
        (
            '{"files": [{"filename": "broken-1.0.tar.gz", "url": "x", "hashes": {"sha256": "a"}}]}',
            "bad sha256 'a' for broken-1.0.tar.gz",
        ),
    ],
)
def test_malformed_json_page(
    publish: Callable[[Path], str], tmp_path: Path, body: str, reason: str
) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "index.json").write_text(body)
    url = publish(tmp_path)
    with pytest.raises(InvalidIndexPage) as caught:
        Index([url]).files("broken")
    assert caught.value.url.startswith(url.rstrip("/") + "/broken/")
    assert reason in str(caught.value)
    assert caught.value.url in str(caught.value)


def test_html_page_is_parsed(publish: Callable[[Path], str], tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "legacy", "2.0", {"legacy.py": ""})
    wheel = make_wheel(tmp_path, "legacy", "2.0", {"legacy.py": ""})
    root = tmp_path / "index"
    (root / "files").mkdir(parents=True)
    (root / "legacy").mkdir()
    for dist in (sdist, wheel):
        (root / "files" / dist.name).write_bytes(dist.read_bytes())
    (root / "legacy" / "index.html").write_text(
        "<!DOCTYPE html><html><body><h1>Links for legacy</h1>\n"
        f'<a href="../files/{sdist.name}#sha256={hash_file(sdist).hex}"'
        ' data-requires-python="&gt;=3.8">x</a><br>\n'
        f'<a href="../files/{wheel.name}#md5=0123" data-yanked="" data-core-metadata="sha256=ab"'
        f">{wheel.name}</a>\n"
        '<a href="../files/legacy-1.0.win32.exe">legacy-1.0.win32.exe</a>\n'
        "</body></html>\n"
    )
    with Index([publish(root)]) as idx:
        files = {f.filename: f for f in idx.files("legacy")}
        assert sorted(files) == sorted([sdist.name, wheel.name]), "the .exe is not installable"
        got_sdist, got_wheel = files[sdist.name], files[wheel.name]
        assert got_sdist.sha256 == hash_file(sdist).hex
        assert got_sdist.requires_python == ">=3.8"
        assert not got_sdist.yanked and got_sdist.core_metadata is False
        assert got_wheel.sha256 is None, "only sha256 is taken from the fragment"
        assert got_wheel.yanked and got_wheel.core_metadata == {"sha256": "ab"}
        assert got_wheel.tags == {PURE}
        assert "#" not in got_sdist.url and got_sdist.url.endswith(f"/files/{sdist.name}")
        assert idx.download(got_sdist, tmp_path / "out" / sdist.name) == hash_file(sdist)


def test_a_version_is_read_after_the_projects_name_and_other_projects_files_are_left_out(
    publish: Callable[[Path], str], tmp_path: Path
) -> None:
    """selenium's page lists ``selenium-2.0-dev-9429.tar.gz``: packaging's split at the last
    ``-`` makes it version 9429 of a project ``selenium-2.0-dev``, newer than any release, where
    pip reads 2.0.dev9429 (a pre-release) after the name. A file named for another project is
    not this one's, as pip leaves it out."""
    dev = make_sdist(tmp_path, "demo", "1.0", {"demo.py": ""})
    named = {
        "demo-1.0.tar.gz": dev,
        "demo-2.0-dev-9429.tar.gz": dev,
        "other-3.0.tar.gz": dev,
        "other-3.0-py3-none-any.whl": make_wheel(tmp_path, "other", "3.0", {"other.py": ""}),
    }
    root = tmp_path / "index"
    (root / "files").mkdir(parents=True)
    (root / "demo").mkdir()
    links = ""
    for name, dist in named.items():
        (root / "files" / name).write_bytes(dist.read_bytes())
        links += f'<a href="../files/{name}#sha256={hash_file(dist).hex}">{name}</a>\n'
    (root / "demo" / "index.html").write_text(f"<html><body>{links}</body></html>\n")
    with Index([publish(root)]) as idx:
        assert sorted(f.filename for f in idx.files("demo")) == sorted(named)[:2]
        assert idx.versions("demo") == [Version("1.0"), Version("2.0.dev9429")]


def test_silent_server_times_out() -> None:
    with socket.socket() as listener:
        # Connections complete in the kernel's backlog, but nobody ever reads or answers.
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        started = time.monotonic()
        with pytest.raises(IndexUnavailable) as caught:
            Index([url], timeout=0.3).files("demo")
        assert time.monotonic() - started < 5
    assert "no answer within 0.3 s" in str(caught.value)
    assert caught.value.url == url + "demo/"


def test_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/simple"
    with pytest.raises(IndexUnavailable) as caught:
        Index([url], timeout=5).files("demo")
    assert str(caught.value).startswith(f"cannot fetch {url}/demo/: ")


def test_unsupported_scheme() -> None:
    with pytest.raises(UsageError, match="unsupported index URL"):
        Index(["ftp://127.0.0.1/simple"]).files("demo")


def _isolate_pip(monkeypatch: pytest.MonkeyPatch, config: str = os.devnull) -> None:
    monkeypatch.setenv("PIP_CONFIG_FILE", config)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_NO_INDEX", raising=False)


def test_index_urls_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    _isolate_pip(monkeypatch)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/main")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "file:///srv/a  file:///srv/b")
    assert index_urls() == ["http://127.0.0.1:9/main", "file:///srv/a", "file:///srv/b"]


def test_index_urls_default_is_pips(monkeypatch: pytest.MonkeyPatch) -> None:
    from pip._internal.models.index import PyPI

    _isolate_pip(monkeypatch)
    assert index_urls() == [PyPI.simple_url]
    assert Index().urls == [PyPI.simple_url]
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "file:///srv/extra")
    assert index_urls() == [PyPI.simple_url, "file:///srv/extra"]


def test_index_urls_from_pip_conf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text(
        "[global]\n"
        "index-url = file:///srv/global\n"
        "extra-index-url =\n    file:///srv/x\n    file:///srv/y\n"
        "[install]\n"
        "index-url = file:///srv/install\n"
    )
    _isolate_pip(monkeypatch, str(conf))
    assert index_urls() == ["file:///srv/install", "file:///srv/x", "file:///srv/y"]
    monkeypatch.setenv("PIP_INDEX_URL", "file:///srv/env")
    assert index_urls() == ["file:///srv/env", "file:///srv/x", "file:///srv/y"]


@pytest.mark.parametrize("value", ["1", "yes", "True"])
def test_no_index_in_the_environment_reads_no_index(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, local_index: _fixtures.LocalIndex, value: str
) -> None:
    url = local_index.file_url
    _isolate_pip(monkeypatch)
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("PIP_NO_INDEX", value)
    index = Index()
    assert index.urls == [url]  # where saved answers are kept
    with pytest.raises(IndexDisabled, match=r"sets no-index \(in PIP_NO_INDEX\)") as caught:
        index.files("demo")
    assert isinstance(caught.value, IndexUnavailable)  # served as offline is
    assert "PIP_INDEX_URL" in caught.value.hint
    file = Index([url]).find("demo", "1.0")  # URLs given are read
    with pytest.raises(IndexDisabled):
        index.download(file, tmp_path / file.filename)
    assert not (tmp_path / file.filename).exists()
    monkeypatch.setenv("PIP_NO_INDEX", "off")
    assert Index().files("demo")


def test_no_index_in_pip_conf_and_a_bad_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nno-index = true\n")
    _isolate_pip(monkeypatch, str(conf))
    assert index_settings().no_index == str(conf)  # the file, named
    for value in ("maybe", " yes "):  # pip refuses both
        monkeypatch.setenv("PIP_NO_INDEX", value)
        with pytest.raises(IndexConfigError, match="is not a yes or a no") as caught:
            index_urls()
        assert caught.value.hint == "set it to yes or no in PIP_NO_INDEX, or leave it out"


def test_the_pip_conf_named_is_the_one_whose_no_index_pip_takes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """pip takes [install] over [global] whatever the file: the user's file saying no in
    [global] was named, where the global file's [install] says yes."""
    for folder, text in (
        ("xdg-dirs", "[install]\nno-index = true\n"),
        ("xdg-home", "[global]\nno-index = false\n"),
    ):
        (tmp_path / folder / "pip").mkdir(parents=True)
        (tmp_path / folder / "pip" / "pip.conf").write_text(text)
    _isolate_pip(monkeypatch)
    monkeypatch.delenv("PIP_CONFIG_FILE")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg-dirs"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-home"))
    assert index_settings().no_index == str(tmp_path / "xdg-dirs" / "pip" / "pip.conf")


def test_no_index_holds_for_urls_a_file_gives_too(
    monkeypatch: pytest.MonkeyPatch, local_index: _fixtures.LocalIndex
) -> None:
    """A requirements file's -i is given to Index with where no-index is set, as pip reads no
    index then, not even one its -i names."""
    with pytest.raises(IndexDisabled, match=r"\(in PIP_NO_INDEX\)"):
        Index([local_index.file_url], no_index="PIP_NO_INDEX").files("demo")


def test_index_urls_without_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pip._internal.configuration", None)
    with pytest.raises(IndexConfigError, match="pip is not importable") as caught:
        index_urls()
    assert "Index(urls=" in caught.value.hint


def test_dist_file_is_hashable(index: Index) -> None:
    files = index.files("demo")
    assert len(set(files)) == len(files)
    assert all(isinstance(f, DistFile) for f in files)


def test_make_sdist_is_reproducible(tmp_path: Path) -> None:
    files = {"pyproject.toml": "[project]\nname = 'My.Pkg'\n", "my_pkg/__init__.py": ""}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = make_sdist(tmp_path / "a", "My.Pkg", "1.0", files)
    second = make_sdist(tmp_path / "b", "My.Pkg", "1.0", files)
    assert first.name == "my_pkg-1.0.tar.gz"
    assert parse_sdist_filename(first.name)[0] == "my-pkg"
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        names = tar.getnames()
        assert names == sorted(names)
        assert set(names) == {
            "my_pkg-1.0/PKG-INFO",
            "my_pkg-1.0/pyproject.toml",
            "my_pkg-1.0/my_pkg/__init__.py",
        }
        info = tar.extractfile("my_pkg-1.0/PKG-INFO")
        assert info is not None
        assert io.TextIOWrapper(info).read().splitlines()[1:] == ["Name: My.Pkg", "Version: 1.0"]


def test_make_wheel_installs_with_installer(tmp_path: Path) -> None:
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile

    wheel = make_wheel(tmp_path, "demo", "1.1", {"demo.py": "X = 1\n", "demo_pkg/__init__.py": ""})
    scheme = {k: str(tmp_path / k) for k in ("purelib", "platlib", "headers", "scripts", "data")}
    destination = SchemeDictionaryDestination(
        scheme, interpreter=sys.executable, script_kind="posix"
    )
    with WheelFile.open(wheel) as source:
        source.validate_record()
        install(source, destination, additional_metadata={})
    assert (tmp_path / "purelib" / "demo.py").read_text() == "X = 1\n"
    assert (tmp_path / "purelib" / "demo-1.1.dist-info" / "METADATA").is_file()


# Pages an index may be at, and file URLs a page may give: absolute ones that joining leaves as
# they are, and the ones it does not (another scheme's case, no host, a query, a fragment,
# parameters, white space, a control or non-ASCII character, a host in brackets, dot segments).
_PAGES = [
    "https://index.test/simple/demo/",
    "http://index.test:8080/simple/demo",
    "file:///srv/simple/demo/",
]
_HREFS = [
    "https://files.test/packages/ab/cd/demo-1.0.tar.gz",
    "http://files.test/demo-1.0-py3-none-any.whl",
    "https://user:pw@files.test:443/p/demo-1.0.tar.gz",
    "https://files.test",
    "https://files.test/a/../b/./demo-1.0.tar.gz",
    "https://files.test//double//slash.tar.gz",
    "https://files.test/demo%2B1.0.tar.gz",
    "HTTPS://files.test/demo-1.0.tar.gz",
    "https:///no-host/demo-1.0.tar.gz",
    "https:demo-1.0.tar.gz",
    "https://files.test/demo-1.0.tar.gz?",
    "https://files.test/demo-1.0.tar.gz?x=1",
    "https://files.test/demo-1.0.tar.gz#",
    "https://files.test/demo-1.0.tar.gz#sha256=00",
    "https://files.test/p;type=a/demo-1.0.tar.gz",
    "https://files.test/demo-1.0.tar.gz;v",
    " https://files.test/demo-1.0.tar.gz",
    "https://files.test/demo-1.0.tar.gz ",
    "https://files.test/de\tmo-1.0.tar.gz",
    "https://files.test/de\nmo-1.0.tar.gz",
    "https://files.test/démo-1.0.tar.gz",
    "https://[::1]:8080/demo-1.0.tar.gz",
    "ftp://files.test/demo-1.0.tar.gz",
    "file:///srv/files/demo-1.0.tar.gz",
    "../../files/demo-1.0.tar.gz",
    "/files/demo-1.0.tar.gz",
    "//files.test/demo-1.0.tar.gz",
    "demo-1.0.tar.gz",
]


@pytest.mark.parametrize("page", _PAGES)
def test_a_files_url_is_resolved_against_its_page_as_urljoin_does(page: str) -> None:
    """A file's URL taken as it is when it is absolute (a JSON page's are) is what joining it
    to the page's URL gives, whatever it holds: one that joining changes is joined."""
    import urllib.parse

    from pybuild.index.simple import _joined

    assert [_joined(page, href) for href in _HREFS] == [
        urllib.parse.urljoin(page, href) for href in _HREFS
    ]
