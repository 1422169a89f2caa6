"""``pybuild query``: the store's reference graph, asked as ``nix-store --query`` asks it.

Each question is about paths already in the store (or the built outputs of attributes): what
they refer to, what refers to them, what keeps them from a collection, and the same as a tree
or a Graphviz graph. Nothing is built or evaluated beyond naming the targets.
"""

from __future__ import annotations

import argparse

from .common import built_targets, open_store, outputs_named

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from ..store.refgraph import StoreGraph

_QUESTIONS = {
    "references": "the paths each one refers to",
    "referrers": "the valid paths that refer to each one",
    "requisites": "the closure: each one and all it refers to, directly or not",
    "referrers-closure": "each one and every path that refers to it, directly or not",
    "roots": "the garbage collector roots that keep each one alive, as ROOT -> PATH",
    "tree": "the references of each one as a tree ([...]: shown above already)",
    "graph": "the closure as a Graphviz graph (dot), an arrow from each path to its referrer",
    "deriver": "the derivation that built each one (unknown-deriver if none is known)",
}


def register(commands: Any) -> None:
    p = commands.add(
        "query", _query, "ask the store which paths refer to which (nix-store --query)"
    )
    asked = p.add_mutually_exclusive_group(required=True)
    for question, help_text in _QUESTIONS.items():
        flags = ["-R", f"--{question}"] if question == "requisites" else [f"--{question}"]
        asked.add_argument(
            *flags, dest="question", action="store_const", const=question, help=help_text
        )
    built_targets(p)


def _query(args: argparse.Namespace) -> int:
    from ..store.refgraph import StoreGraph

    store = open_store()
    names = [name for named in outputs_named(args, args.targets, store) for name in named]
    if args.question == "deriver":
        for name in names:
            deriver = store.info(name).deriver
            print(store.path(deriver) if deriver else "unknown-deriver")
        return 0
    if args.question == "roots":
        _print_roots(store, names)
        return 0
    graph = StoreGraph.load(store)
    if args.question == "tree":
        for name in names:
            for line in _tree(graph, name, store.path):
                print(line)
    elif args.question == "graph":
        print("\n".join(_dot(graph, names)))
    else:
        for name in _answer(args.question, graph, names):
            print(store.path(name))
    return 0


def _answer(question: str, graph: StoreGraph, names: list[str]) -> list[str]:
    """The paths that answer `question` about `names`, each once, in a stable order."""
    if question == "references":
        found = {ref for name in names for ref in graph.refs[name]}
    elif question == "referrers":
        back = graph.referrers()
        found = {referrer for name in names for referrer in back[name]}
    elif question == "requisites":
        found = graph.closure(names, keep_derivations=False)
    else:
        found = graph.referrers_closure(names)
    return sorted(found, key=_by_name)


def _by_name(name: str) -> tuple[str, str]:
    """Sorted by the name after the hash, as a reader looks for a package."""
    return name[33:], name


def _print_roots(store: Any, names: list[str]) -> None:
    from ..store.refgraph import StoreGraph, roots_keeping
    from ..store.roots import find_roots

    print_roots(store, roots_keeping(names, find_roots(store), StoreGraph.load(store)))


def print_roots(store: Any, roots: list[Any]) -> None:
    """`roots` as Nix prints them: ``ROOT -> PATH``, each once, sorted; a link into another
    location of the store (the home was moved) with the target it names there."""
    for line in sorted({f"{root.source} -> {root.target(store)}" for root in roots}):
        print(line)


def _tree(graph: StoreGraph, top: str, path: Any) -> Iterator[str]:
    """Lines of the tree of `top`'s references, as ``nix-store --query --tree`` draws it: a
    path shown before is marked ``[...]`` and not followed again (its subtree is above)."""
    shown: set[str] = set()
    yield str(path(top))
    shown.add(top)
    stack = [("", _children(graph, top))]
    while stack:
        indent, children = stack[-1]
        if not children:
            stack.pop()
            continue
        name = children.pop(0)
        last = not children
        branch, below = ("└───", "    ") if last else ("├───", "│   ")
        if name in shown:
            yield f"{indent}{branch}{path(name)} [...]"
            continue
        shown.add(name)
        yield f"{indent}{branch}{path(name)}"
        stack.append((indent + below, _children(graph, name)))


def _children(graph: StoreGraph, name: str) -> list[str]:
    """What `name` refers to, itself left out (a path naming itself is no branch)."""
    return sorted((ref for ref in graph.refs[name] if ref != name), key=_by_name)


def _dot(graph: StoreGraph, names: list[str]) -> Iterator[str]:
    """The closure of `names` in Graphviz's language, as ``nix-store --query --graph`` writes
    it: a box per path labelled with its name, an arrow from each reference to its referrer."""
    closure = sorted(graph.closure(names, keep_derivations=False), key=_by_name)
    yield "digraph G {"
    for name in closure:
        yield f'"{name}" [label = "{name[33:]}", shape = box];'
    for name in closure:
        for ref in graph.refs[name]:
            if ref != name:
                yield f'"{ref}" -> "{name}";'
    yield "}"
