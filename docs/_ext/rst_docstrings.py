"""A griffe extension: pybuild's docstrings, written in reST's habits, rendered as Markdown.

The docstrings are read in a terminal and by ``help()`` as much as on the site, so they keep
reST's plain-text conventions (``Example::`` before an indented block, ``:mod:`x```), which
Markdown would show literally. Before mkdocstrings renders them, this rewrites:

- a paragraph ending in ``::`` and the indented block after it: the paragraph ends in ``:``
  and the block becomes a fenced one (``pycon`` when it is a doctest, so it is highlighted);
- a role (``:mod:`.changes```, ``:class:`Store```, ``:func:`realise```): a link to the object
  when the name leads to one that the reference shows, else the name as code.

A name is resolved as Python would from the object's module: relative names from its package,
plain names from the module's members (an imported name leads to where it is defined).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["RstDocstrings", "to_markdown"]

_ROLE = re.compile(r":(?:mod|class|func|meth|attr|data|exc|obj):`~?([^`]+)`")


class RstDocstrings(griffe.Extension):
    """Rewrite every docstring of the package once it is loaded (links need the whole tree)."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = to_markdown(obj.docstring.value, lambda t, o=obj: _link(o, t))


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias:
            found += _walk(member)  # type: ignore[arg-type]
    return found


def to_markdown(text: str, link: Any = lambda target: None) -> str:
    """`text` with its literal blocks fenced and its roles made links (`link`) or code."""

    def role(match: re.Match[str]) -> str:
        target = match.group(1).removesuffix("()")
        shown = f"`{match.group(1)}`"
        path = link(target)
        return f"[{shown}][{path}]" if path else shown

    return _fence_literal_blocks(_ROLE.sub(role, text))


def _fence_literal_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.rstrip().endswith("::"):
            out.append(line)
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        head = line.rstrip()[:-2].rstrip()
        if head.strip():
            out.append(head + ":")
        i += 1
        block: list[str] = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
            block.append(lines[i])
            i += 1
        while block and not block[-1].strip():
            block.pop()
        body = [b for b in block if b.strip()]
        if not body:
            continue
        cut = min(_indent(b) for b in body)
        first = body[0].strip()
        language = "pycon" if first.startswith(">>>") else "text"
        pad = " " * indent
        out += ["", f"{pad}```{language}"]
        out += [pad + b[cut:] if b.strip() else "" for b in block]
        out += [f"{pad}```", ""]
    return "\n".join(out)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _link(obj: griffe.Object, target: str) -> str | None:
    """The path of the object `target` names, seen from `obj`, if the reference shows it."""
    module = obj if obj.is_module else obj.module
    if target.startswith("."):
        base = module if module.is_init_module else module.parent
        dots = len(target) - len(target.lstrip("."))
        for _ in range(dots - 1):
            base = base.parent if base is not None else None
        if base is None:
            return None
        return _shown(base, target.lstrip("."))
    root = module.package
    if target.split(".")[0] == root.name:
        return _shown(root, target.split(".", 1)[1] if "." in target else "")
    for scope in (obj if obj.is_class else None, module):
        if scope is not None and (path := _shown(scope, target)):
            return path
    return None


def _shown(scope: Any, dotted: str) -> str | None:
    """The canonical path of `scope`'s member `dotted`, when it is public all the way down."""
    try:
        found = scope[dotted] if dotted else scope
        found = found.final_target if found.is_alias else found
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    node = found
    while node is not None:
        if not node.is_module and not node.is_public:
            return None
        if node.is_module and node.name.startswith("_") and node.name != "__init__":
            return None
        node = node.parent
    return str(found.path)
