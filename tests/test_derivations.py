"""Derivations as data: identity, inputs from string context, .drv files, and dependency order."""

from __future__ import annotations

import copy
import json
import os
import pickle
from pathlib import Path

import pytest

from pybuild.derivations import (
    STORE_TOKEN,
    Derivation,
    WithInputs,
    derivation,
    input_paths,
    instantiate,
    load_derivation,
    placeholder,
)
from pybuild.errors import CycleError, DerivationError, InvalidHash, InvalidName, UsageError
from pybuild.graph import toposort
from pybuild.hashing import hash_bytes, parse_hash
from pybuild.python.interpreter import Interpreter
from pybuild.store import Store
from pybuild.store.paths import split_name
from pybuild.store.temproots import _roots_of

SH = "/bin/sh"


def temp_roots_of(store: Store) -> set[str]:
    """The names this process has made temporary roots of `store`."""
    return set(_roots_of(store).names)


def simple(name: str = "simple", script: str = 'echo hi > "$out"', **kw: object) -> Derivation:
    return derivation(name=name, builder=SH, args=["-c", script], **kw)  # type: ignore[arg-type]


def fetch(url: str, data: bytes = b"payload\n", name: str = "src.tar") -> Derivation:
    """A fixed-output derivation, as a download would be; `url` only changes its recipe."""
    return derivation(
        name=name,
        builder=SH,
        args=["-c", f'printf %s "$content" > "$out" # from {url}'],
        env={"content": data.decode()},
        output_hash=hash_bytes(data).sri,
    )


def chmod_writable(path: Path) -> None:
    path.chmod(0o644)


# -- identity ---------------------------------------------------------------------------------


def test_derivation_is_frozen_data() -> None:
    drv = simple()
    assert isinstance(drv, Derivation)
    assert drv.name == "simple"
    assert drv.builder == SH
    assert drv.args == ("-c", 'echo hi > "$out"')
    assert drv.outputs == ("out",)
    assert not drv.is_fixed_output
    with pytest.raises(AttributeError, match="immutable"):
        drv.name = "other"


def test_same_recipe_same_derivation() -> None:
    a, b = simple(), simple()
    assert a == b
    assert hash(a) == hash(b)
    assert a.drv_name == b.drv_name
    assert a.out == b.out
    assert len({a, b}) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"name": "renamed"},
        {"script": 'echo bye > "$out"'},
        {"env": {"X": "1"}},
        {"outputs": ("out", "dev")},
    ],
)
def test_any_change_changes_the_output_path(change: dict[str, object]) -> None:
    changed = simple(**change)  # type: ignore[arg-type]
    assert changed.out != simple().out
    assert changed.drv_name != simple().drv_name


def test_env_order_does_not_matter() -> None:
    a = simple(env={"A": "1", "B": "2"})
    b = simple(env={"B": "2", "A": "1"})
    assert a == b


def test_names_and_shapes() -> None:
    drv = simple("hello-1.0")
    digest, name = split_name(drv.out)
    assert name == "hello-1.0"
    assert split_name(drv.drv_name)[1] == "hello-1.0.drv"
    assert digest != split_name(drv.drv_name)[0]
    assert repr(drv) == f"<Derivation {drv.drv_name}>"


def test_multiple_outputs() -> None:
    drv = simple("pkg", outputs=("out", "dev", "doc"))
    assert drv.output_paths["out"].endswith("-pkg")
    assert drv.output_paths["dev"].endswith("-pkg-dev")
    assert drv.output_paths["doc"].endswith("-pkg-doc")
    assert len({split_name(p)[0] for p in drv.output_paths.values()}) == 3
    assert drv.path("dev").endswith(drv.output_paths["dev"])
    with pytest.raises(UsageError, match="no output 'bin'"):
        drv.path("bin")


def test_usable_as_a_path(pybuild_home: Path) -> None:
    drv = simple()
    expected = str(pybuild_home / "store" / drv.out)
    assert str(drv) == expected
    assert os.fspath(drv) == expected
    assert f"{drv}/bin/x" == f"{expected}/bin/x"
    assert f"{drv:>{len(expected) + 2}}" == "  " + expected
    assert Path(drv) == Path(expected)
    assert drv.path(store=Store(pybuild_home.parent / "elsewhere")) == str(
        pybuild_home.parent / "elsewhere" / "store" / drv.out
    )


def test_the_path_follows_the_home_the_environment_names_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``PYBUILD_HOME`` the home is ``$XDG_DATA_HOME/pybuild``: a derivation's path is
    in the store :meth:`Store.default` gives at that moment, whichever variable moved it."""
    monkeypatch.delenv("PYBUILD_HOME")
    drv = simple()
    for data in ("one", "two", "one"):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / data))
        assert str(drv) == str(tmp_path / data / "pybuild" / "store" / drv.out)
        assert str(drv) == str(Store.default().path(drv.out))


def test_text_is_canonical_json_without_the_store_dir(pybuild_home: Path) -> None:
    dep = simple("dep")
    drv = simple("user", script=f'cat {dep} > "$out"')
    doc = json.loads(drv.text)
    assert str(pybuild_home) not in drv.text
    assert STORE_TOKEN in drv.text
    assert doc["args"][1] == f'cat {STORE_TOKEN}/{dep.out} > "$out"'
    assert doc["inputDrvs"] == [dep.drv_name]
    assert doc["outputs"] == {"out": drv.out}
    assert doc["name"] == "user"
    assert drv.text == json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# -- validation -------------------------------------------------------------------------------


def test_invalid_name() -> None:
    with pytest.raises(InvalidName):
        simple("bad name")
    with pytest.raises(InvalidName):
        simple(".hidden")


def test_missing_builder() -> None:
    with pytest.raises(DerivationError, match="no builder"):
        derivation(name="x", builder="")


def test_outputs_must_be_distinct_and_present() -> None:
    with pytest.raises(DerivationError):
        simple(outputs=())
    with pytest.raises(DerivationError):
        simple(outputs=("out", "out"))


@pytest.mark.parametrize("name", ["out", "dev", "HOME", "TMPDIR", "PATH"])
def test_reserved_environment_names(name: str) -> None:
    with pytest.raises(UsageError, match=repr(name)):
        simple(outputs=("out", "dev"), env={name: "x"})


@pytest.mark.parametrize("name", ["A=B", "", "A\0B"])
def test_an_environment_name_no_variable_can_have_is_refused(name: str) -> None:
    """It was taken, and failed the build with 'illegal environment variable name', told as
    a bug of pybuild's; the builder's environment is set by ``env -i NAME=VALUE``, too."""
    with pytest.raises(UsageError, match="cannot be a variable's name"):
        simple(env={name: "c"})


def test_values_of_unsupported_types_are_refused() -> None:
    with pytest.raises(UsageError, match="cannot pass list"):
        derivation(name="x", builder=SH, args=[["nested"]])
    with pytest.raises(UsageError, match=r"env 'X': cannot pass None to a builder \(a string"):
        derivation(name="x", builder=SH, env={"X": None})  # not "NoneType None"


def test_numbers_become_strings() -> None:
    drv = derivation(name="x", builder=SH, args=[1, 2.5], env={"N": 3})
    assert drv.args == ("1", "2.5")
    assert dict(drv.env) == {"N": "3"}


def test_unknown_store_path_in_a_string_is_an_error(pybuild_home: Path) -> None:
    ghost = f"{pybuild_home}/store/{'0' * 32}-ghost/bin/x"
    with pytest.raises(UsageError, match="neither a derivation made here nor a valid store path"):
        simple(script=f"{ghost} > $out")


def test_fixed_output_checks() -> None:
    with pytest.raises(InvalidHash):
        simple(output_hash="nonsense")
    with pytest.raises(DerivationError, match="exactly one output"):
        simple(outputs=("out", "dev"), output_hash=hash_bytes(b"").sri)
    with pytest.raises(DerivationError, match="output_hash_mode"):
        simple(output_hash=hash_bytes(b"").sri, output_hash_mode="text")


# -- inputs -----------------------------------------------------------------------------------


def test_a_derivation_value_is_an_input() -> None:
    dep = simple("dep")
    drv = derivation(name="user", builder=SH, args=["-c", "true"], env={"DEP": dep})
    assert drv.input_drvs == (dep,)
    assert dict(drv.env)["DEP"] == f"{STORE_TOKEN}/{dep.out}"


def test_a_path_in_a_string_makes_an_input() -> None:
    dep = simple("dep")
    tool = simple("tool")
    drv = simple("user", script=f'{tool}/bin/run {dep}/share/x > "$out"')
    assert set(drv.input_drvs) == {dep, tool}
    assert list(drv.input_drvs) == sorted(drv.input_drvs, key=lambda d: d.drv_name)
    assert set(input_paths(drv)) == {dep.out, tool.out}


def test_text_with_inputs_is_the_same_derivation_as_text_with_their_paths() -> None:
    dep, tool = simple("dep"), simple("tool")
    scanned = simple("user", env={"ATTRS": f'["{dep}/lib","{tool}/bin"]'})
    carried = simple(
        "user", env={"ATTRS": WithInputs(f'["{placeholder(dep)}/lib","{tool}/bin"]', [dep])}
    )
    assert carried.drv_name == scanned.drv_name
    assert set(carried.input_drvs) == {dep, tool}  # the one it carries, the one found by path


def test_text_with_inputs_makes_them_inputs_though_it_names_none() -> None:
    dep = simple("dep")
    drv = simple("user", env={"ATTRS": WithInputs("[]", [dep])})
    assert drv.input_drvs == (dep,)
    assert drv.drv_name != simple("user", env={"ATTRS": "[]"}).drv_name


def test_a_derivation_as_builder_is_an_input() -> None:
    tool = simple("tool")
    drv = derivation(name="user", builder=f"{tool}/bin/build")
    assert drv.input_drvs == (tool,)
    assert drv.builder == f"{STORE_TOKEN}/{tool.out}/bin/build"


def test_an_input_changes_the_dependent() -> None:
    one = simple("user", script=f"cat {simple('dep')} > $out")
    two = simple("user", script=f"cat {simple('dep', script='echo other > $out')} > $out")
    assert one.out != two.out


def test_local_paths_are_added_as_sources(store: Store, tmp_path: Path) -> None:
    script = tmp_path / "build.sh"
    script.write_text("echo built > $out\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "f").write_text("x")
    drv = derivation(name="x", builder=SH, args=[script], srcs=[data], store=store)
    script_name = store.add_path(script)
    data_name = store.add_path(data, "source")  # a folder source: named by its content
    assert store.is_valid(script_name)
    assert store.is_valid(data_name)
    assert drv.args == (f"{STORE_TOKEN}/{script_name}",)
    assert set(drv.input_srcs) == {script_name, data_name}
    assert dict(drv.env)["srcs"] == f"{STORE_TOKEN}/{data_name}"
    assert set(input_paths(drv)) == {script_name, data_name}


def test_a_plain_string_path_is_not_copied(store: Store, tmp_path: Path) -> None:
    script = tmp_path / "build.sh"
    script.write_text("x")
    drv = derivation(name="x", builder=SH, args=[str(script)], store=store)
    assert drv.args == (str(script),)
    assert drv.input_srcs == ()
    assert list(store.registry.paths()) == []


def test_a_valid_store_path_in_a_string_is_a_source(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_text("x")
    name = store.add_path(src)
    drv = simple(script=f"cat {store.path(name)} > $out", store=store)
    assert drv.input_srcs == (name,)
    assert drv.input_drvs == ()


def test_same_derivation_in_any_home(tmp_path: Path) -> None:
    script = tmp_path / "build.sh"
    script.write_text("echo $dep > $out\n")
    made = []
    for home in ("home-one", "somewhere/else/home-two"):
        store = Store(tmp_path / home)
        dep = simple("dep", store=store)
        made.append(derivation(name="x", builder=SH, args=[script], env={"dep": dep}, store=store))
        store.registry.close()
    assert made[0].drv_name == made[1].drv_name
    assert made[0].out == made[1].out
    assert made[0].text == made[1].text


# -- fixed-output derivations -----------------------------------------------------------------


def test_fixed_output_path_depends_only_on_hash_and_name() -> None:
    a = fetch("https://example.org/src.tar")
    b = fetch("https://mirror.example.net/src.tar")
    assert a.is_fixed_output
    assert a.drv_name != b.drv_name
    assert a.out == b.out
    assert fetch("https://example.org/src.tar", b"other\n").out != a.out
    assert fetch("https://example.org/src.tar", name="other.tar").out != a.out


def test_moving_a_download_does_not_change_dependents() -> None:
    users = [
        simple("user", script=f'cat {fetch(url)} > "$out"')
        for url in ("https://example.org/src.tar", "https://mirror.example.net/src.tar")
    ]
    assert users[0].out == users[1].out
    assert users[0].drv_name != users[1].drv_name  # the .drv still names the recipe used


def test_output_hash_is_normalised_to_sri() -> None:
    digest = hash_bytes(b"payload\n")
    forms = [digest.hex, digest.base32, digest.sri, f"sha256:{digest.hex}"]
    drvs = [simple("f", output_hash=form) for form in forms]
    assert {d.output_hash for d in drvs} == {digest.sri}
    assert len({d.drv_name for d in drvs}) == 1


def test_flat_and_recursive_fixed_outputs_differ() -> None:
    digest = hash_bytes(b"payload\n").sri
    flat = simple("f", output_hash=digest)
    recursive = simple("f", output_hash=digest, output_hash_mode="recursive")
    assert flat.out != recursive.out


def test_recursive_fixed_output_is_the_path_add_would_make(store: Store, tmp_path: Path) -> None:
    from pybuild.hashing import hash_path

    src = tmp_path / "f"
    src.write_text("payload\n")
    drv = simple("f", output_hash=hash_path(src)[0].sri, output_hash_mode="recursive")
    assert drv.out == store.add_path(src)


# -- .drv files -------------------------------------------------------------------------------


def test_instantiate_writes_drv_files_with_references(store: Store, tmp_path: Path) -> None:
    script = tmp_path / "build.sh"
    script.write_text("true\n")
    dep = simple("dep", store=store)
    drv = derivation(name="x", builder=SH, args=[script, dep], store=store)
    assert instantiate(drv, store) == drv.drv_name
    for d in (drv, dep):
        assert store.is_valid(d.drv_name)
        assert store.path(d.drv_name).read_text() == d.text
    refs = store.info(drv.drv_name).references
    assert set(refs) == {dep.drv_name, store.add_path(script)}
    assert not store.is_valid(drv.out)
    assert instantiate(drv, store) == drv.drv_name


def test_instantiating_a_graph_roots_every_drv_and_asks_a_level_at_a_time(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = simple("base", store=store)
    instantiate(base, store)  # in the store already: its inputs are not looked at again
    mids = [simple(f"mid{i}", script=f'cat {base} > "$out"', store=store) for i in range(10)]
    top = simple("top", script="cat " + " ".join(map(str, mids)) + ' > "$out"', store=store)
    asked: list[list[str]] = []
    among = store.registry.valid_among
    monkeypatch.setattr(store.registry, "valid_among", lambda p: asked.append(p) or among(p))
    written: list[str] = []

    def add_texts(texts: list[tuple[str, str, list[str]]]) -> list[str]:
        written.extend(t[0] for t in texts)
        monkeypatch.undo()  # writing asks the registry again, as it should
        return store.add_texts(texts)

    monkeypatch.setattr(store.registry, "is_valid", lambda p: pytest.fail(f"asked of {p}"))
    monkeypatch.setattr(store, "add_texts", add_texts)
    assert instantiate(top, store) == top.drv_name
    assert [len(names) for names in asked] == [1, 10, 1]  # top, the mids, base
    assert sorted(written[:-1]) == [f"mid{i}.drv" for i in range(10)] and written[-1] == "top.drv"
    assert all(store.is_valid(d.drv_name) for d in [top, *mids])
    assert {d.drv_name for d in [top, *mids, base]} <= temp_roots_of(store)


def test_load_derivation_round_trip(store: Store) -> None:
    dep = fetch("https://example.org/src.tar")
    drv = simple("pkg", script=f"cat {dep} > $out", outputs=("out", "dev"), env={"K": "v"})
    instantiate(drv, store)
    loaded = load_derivation(store, drv.drv_name)
    assert loaded == drv
    assert loaded.text == drv.text
    assert loaded.output_paths == drv.output_paths
    assert loaded.input_drvs == (dep,)
    assert loaded.input_drvs[0].output_hash == dep.output_hash
    assert loaded.env == drv.env


def test_load_derivation_rejects_garbage(store: Store) -> None:
    drv = simple()
    instantiate(drv, store)
    path = store.path(drv.drv_name)
    chmod_writable(path)
    path.write_bytes(b"\x00\xffnot json at all")
    with pytest.raises(DerivationError, match="malformed"):
        load_derivation(store, drv.drv_name)
    path.write_text("{")
    with pytest.raises(DerivationError, match="malformed"):
        load_derivation(store, drv.drv_name)


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"version": 2},
        {"version": 1},
        {"version": 1, "name": 5},
    ],
)
def test_load_derivation_rejects_wrong_shapes(store: Store, doc: object) -> None:
    drv = simple()
    instantiate(drv, store)
    path = store.path(drv.drv_name)
    chmod_writable(path)
    path.write_text(json.dumps(doc))
    with pytest.raises(DerivationError):
        load_derivation(store, drv.drv_name)


def test_load_derivation_rejects_a_hand_edited_file(store: Store) -> None:
    drv = simple()
    instantiate(drv, store)
    path = store.path(drv.drv_name)
    doc = json.loads(path.read_text())
    doc["args"][1] = 'echo edited > "$out"'
    chmod_writable(path)
    path.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")))
    with pytest.raises(DerivationError, match="modified") as info:
        load_derivation(store, drv.drv_name)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("edit", ["output path", "extra field"])
def test_load_derivation_rejects_edits_it_would_recompute_away(store: Store, edit: str) -> None:
    """The file must still be the text its name was made from, even where the loader
    recomputes a field (the output paths) or ignores one (an unknown key)."""
    drv = simple()
    instantiate(drv, store)
    path = store.path(drv.drv_name)
    chmod_writable(path)
    if edit == "output path":
        path.write_text(drv.text.replace(drv.out, simple("other").out))
    else:
        path.write_text(drv.text[:-1] + ',"zzz":"smuggled"}')
    assert path.read_text() != drv.text
    with pytest.raises(DerivationError, match="modified"):
        load_derivation(store, drv.drv_name)


def test_load_derivation_says_a_reformatted_file_is_not_canonical(store: Store) -> None:
    """Formatting alone changed: the name still fits, so the message does not name the file's
    own name as the one its content would have."""
    drv = simple()
    instantiate(drv, store)
    path = store.path(drv.drv_name)
    chmod_writable(path)
    path.write_text(drv.text + "\n")
    with pytest.raises(DerivationError, match="not the canonical form") as info:
        load_derivation(store, drv.drv_name)
    assert "it would be" not in str(info.value)


def test_load_derivation_not_exact_takes_a_reformatted_input(store: Store) -> None:
    """What a repair writes back: the derivation a reformatted .drv still holds; an edited one
    is refused all the same."""
    dep = simple("dep")
    drv = simple("user", script=f"cat {dep} > $out")
    instantiate(drv, store)
    path = store.path(dep.drv_name)
    chmod_writable(path)
    path.write_text(" " + dep.text + "\n")
    loaded = load_derivation(store, drv.drv_name, exact=False)
    assert loaded == drv and loaded.input_drvs[0].text == dep.text
    path.write_text(dep.text.replace("echo hi", "echo ho"))
    with pytest.raises(DerivationError, match="no longer matches its name"):
        load_derivation(store, drv.drv_name, exact=False)


def test_load_derivation_of_an_edited_input(store: Store) -> None:
    dep = simple("dep")
    drv = simple("user", script=f"cat {dep} > $out")
    instantiate(drv, store)
    path = store.path(dep.drv_name)
    chmod_writable(path)
    path.write_text(dep.text.replace("echo hi", "echo ho"))
    with pytest.raises(DerivationError, match="modified"):
        load_derivation(store, drv.drv_name)


def test_load_derivation_of_a_missing_file(store: Store) -> None:
    with pytest.raises(DerivationError, match="cannot read"):
        load_derivation(store, simple().drv_name)


# -- dependency order -------------------------------------------------------------------------


def test_toposort_puts_dependencies_first() -> None:
    edges = {"app": ["lib", "tool"], "lib": ["base"], "tool": ["base"], "base": []}
    order = toposort(["app"], lambda n: edges[n])
    assert sorted(order) == sorted(edges)
    for node, deps in edges.items():
        for dep in deps:
            assert order.index(dep) < order.index(node)


def test_toposort_visits_each_node_once_from_many_roots() -> None:
    edges = {"a": ["c"], "b": ["c"], "c": []}
    order = toposort(["a", "b", "c", "a"], lambda n: edges[n])
    assert order.count("c") == 1
    assert order[0] == "c"
    assert sorted(order) == ["a", "b", "c"]


def test_toposort_names_the_whole_cycle() -> None:
    edges = {"root": ["a"], "a": ["b"], "b": ["c"], "c": ["a"]}
    with pytest.raises(CycleError) as info:
        toposort(["root"], lambda n: edges[n])
    assert info.value.chain == ["a", "b", "c", "a"]
    assert "a -> b -> c -> a" in str(info.value)
    assert isinstance(info.value, DerivationError)


def test_toposort_self_loop_and_labels() -> None:
    with pytest.raises(CycleError) as info:
        toposort([1], lambda n: [n], label=lambda n: f"node{n}")
    assert info.value.chain == ["node1", "node1"]


def test_toposort_of_a_deep_chain_does_not_recurse() -> None:
    depth = 5000
    order = toposort([0], lambda n: [n + 1] if n < depth else [])
    assert order == list(range(depth, -1, -1))


def test_a_graph_is_instantiated_in_one_registry_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each .drv written once, inputs first, in one transaction; the names the derivations
    give themselves; a second call writes nothing."""
    from pybuild.derivations import instantiate_all

    nodes: list[Derivation] = []
    for i in range(6):
        deps = " ".join(str(nodes[j]) for j in {i - 1, i // 2} if i)
        script = f"echo {i} $deps > $out"
        nodes.append(
            derivation(name=f"n{i}", builder="/bin/sh", args=["-c", script], env={"d": deps})
        )
    batches: list[list[str]] = []
    register = store.registry.register
    monkeypatch.setattr(
        store.registry,
        "register",
        lambda infos: batches.append([i.path for i in infos]) or register(infos),
    )
    instantiate_all([nodes[-1], nodes[3]], store)
    assert [sorted(b) for b in batches] == [sorted(n.drv_name for n in nodes)]
    written = batches[0]
    for node in nodes:  # every input registered before (or with) what refers to it
        assert all(
            written.index(d.drv_name) < written.index(node.drv_name) for d in node.input_drvs
        )
        assert store.is_valid(node.drv_name)
        assert store.info(node.drv_name).references == tuple(
            sorted(d.drv_name for d in node.input_drvs)
        )
    instantiate_all(nodes, store)
    assert len(batches) == 1


def test_derivations_hashes_and_interpreters_pickle_and_copy() -> None:
    """Immutable, yet a worker started with spawn (or copy.copy) gets them whole."""
    drv = simple()
    for value in (drv, parse_hash(drv.hash_modulo), Interpreter.current()):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.copy(value) == value
    assert pickle.loads(pickle.dumps(drv)).drv_name == drv.drv_name


def test_a_name_too_long_for_its_drv_file_is_refused_when_made() -> None:
    assert derivation(name="a" * 207, builder="/bin/sh").drv_name.endswith("a.drv")
    with pytest.raises(InvalidName, match=r"\.drv': it is longer than 211"):
        derivation(name="a" * 208, builder="/bin/sh")
