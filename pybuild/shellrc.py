"""Start-up files of an interactive ``pybuild shell``: the environment after the user's own.

An interactive shell reads its start-up files (``~/.bashrc``…) after it has its environment,
and a pyenv, conda or nvm init there puts its own folders first on ``PATH`` again. So, as
nix-shell writes a ``--rcfile`` for bash, pybuild writes for each shell it knows a start-up
file (or command) that runs the user's own first, then applies the environment over what they
did. :func:`pybuild.shell.run_in_environment` chooses the shell and starts it on these.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from shlex import quote

from .shell import NEVER

__all__ = ["PROMPT", "bash_rcfile", "fish_setup", "sh_env_file", "zsh_startup_files"]

PROMPT = r"(pybuild) \w\$ "  # in bash's escapes; zsh, sh and fish say it in their own
_SETS = ("VIRTUAL_ENV", "IN_PYBUILD_SHELL")  # the variables the environment sets, besides PATH


def bash_rcfile(folder: str, env_dir: str, pure: bool, environ: Mapping[str, str]) -> str:
    """bash's ``--rcfile``, in `folder`, as nix-shell writes it: ``~/.bashrc`` (which bash no
    longer reads itself; not when `pure`), then the environment."""
    user = "" if pure else _sourced("~/.bashrc")
    text = f"{_removal(folder)}{user}{_posix_setup(env_dir, environ, PROMPT)}"
    return _write(os.path.join(folder, "bashrc"), text)


def zsh_startup_files(folder: str, env_dir: str, pure: bool, environ: dict[str, str]) -> None:
    """zsh reads ``.zshenv`` and ``.zshrc`` from ``$ZDOTDIR`` (``$HOME`` when unset), so
    ``ZDOTDIR`` names `folder`, whose ``.zshenv`` runs the user's (where ``ZDOTDIR`` was, or
    where it sets it) and whose ``.zshrc`` puts ``ZDOTDIR`` back for the shell's own children,
    runs the user's ``.zshrc``, then applies the environment. When `pure`, the user's are not
    read and ``ZDOTDIR`` is unset, as ``--pure`` has it."""
    user_dir = environ.get("ZDOTDIR")
    environ["ZDOTDIR"] = folder
    if not pure:
        put_back = "unset ZDOTDIR" if user_dir is None else f"ZDOTDIR={quote(user_dir)}"
        keep = "_pybuild_zdotdir=${ZDOTDIR-} _pybuild_zdotdir_set=${ZDOTDIR+1}"
        user_env = _sourced('"${ZDOTDIR:-$HOME}/.zshenv"')
        text = f"{put_back}\n{user_env}{keep}\nZDOTDIR={quote(folder)}\n"
        _write(os.path.join(folder, ".zshenv"), text)
    restore = (
        'if [ -n "${_pybuild_zdotdir_set-}" ]; then export ZDOTDIR=$_pybuild_zdotdir\n'
        "else unset ZDOTDIR; fi\nunset _pybuild_zdotdir _pybuild_zdotdir_set\n"
    )
    user = "" if pure else _sourced('"${ZDOTDIR:-$HOME}/.zshrc"')
    setup = _posix_setup(env_dir, environ, "(pybuild) %~%# ")
    _write(os.path.join(folder, ".zshrc"), f"{_removal(folder)}{restore}{user}{setup}")


def sh_env_file(folder: str, env_dir: str, environ: dict[str, str]) -> None:
    """An interactive POSIX sh (dash; bash run as ``sh``) reads the file ``$ENV`` names, its
    only start-up file: ``ENV`` names one in `folder` that puts the user's ``ENV`` back for
    the shell's children, runs the file it names (``--pure`` has none), then applies the
    environment. The prompt says the folder with ``$PWD``: dash has no ``\\w``."""
    user_env = environ.get("ENV")
    if not user_env:
        user = "unset ENV\n"
    else:  # the shell expands ENV's parameters before reading it: so does expandvars
        path = os.path.abspath(os.path.expandvars(user_env))
        user = f"export ENV={quote(user_env)}\n{_sourced(quote(path))}"
    setup = _posix_setup(env_dir, environ, "(pybuild) $PWD\\$ ")
    environ["ENV"] = _write(os.path.join(folder, "env"), f"{_removal(folder)}{user}{setup}")


def _removal(folder: str) -> str:
    """Start-up code removing `folder` (its files are read by then), quietly: ``--pure``'s
    ``PATH`` may have no ``rm`` (NixOS), and pybuild removes it too when the shell ends."""
    return f"command rm -rf -- {quote(folder)} 2>/dev/null\n"


def _sourced(path: str) -> str:
    """Start-up code that runs the user's file at `path` (shell words) if there is one."""
    return f"[ -r {path} ] && . {path}\n"


def _posix_setup(env_dir: str, environ: Mapping[str, str], prompt: str) -> str:
    """Code for bash, zsh and sh that applies the environment over what start-up files did:
    its ``bin`` first on ``PATH`` (once: where they left it is dropped; the folders they added
    stay, after it, as nix-shell keeps them), its variables exported again, the ones it never
    has unset again (a ``PYTHONPATH`` set there would change what Python sees), the prompt."""
    exports = " ".join(f"{name}={quote(environ[name])}" for name in _SETS)
    unset = " ".join(name for name in NEVER if name not in _SETS)
    return (
        f"_pybuild_bin={quote(env_dir + '/bin')} _pybuild_path=\n"
        "_pybuild_left=${PATH:+$PATH:}\n"
        'while [ -n "$_pybuild_left" ]; do\n'
        "  _pybuild_dir=${_pybuild_left%%:*} _pybuild_left=${_pybuild_left#*:}\n"
        '  [ "$_pybuild_dir" = "$_pybuild_bin" ] || _pybuild_path=$_pybuild_path:$_pybuild_dir\n'
        "done\n"
        f'export PATH="$_pybuild_bin$_pybuild_path" {exports}\n'
        f"unset {unset} _pybuild_bin _pybuild_path _pybuild_left _pybuild_dir\n"
        f"PS1={quote(prompt)}\n"
    )


def fish_setup(env_dir: str, environ: Mapping[str, str]) -> str:
    """fish's ``--init-command`` doing what :func:`_posix_setup` does, in fish."""
    path = _fish_quote(f"{env_dir}/bin")
    exports = [f"set -gx {name} {_fish_quote(environ[name])}" for name in _SETS]
    unset = " ".join(name for name in NEVER if name not in _SETS)
    return "\n".join(
        [
            f"while set -l i (contains -i -- {path} $PATH); set -e PATH[$i]; end",
            f"set -gx PATH {path} $PATH",
            *exports,
            f"set -e {unset}",
            "function fish_prompt; echo -n '(pybuild) '(prompt_pwd)'> '; end",
        ]
    )


def _fish_quote(value: str) -> str:
    """`value` as one fish word: in fish's single quotes only ``\\`` and ``'`` are escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _write(path: str, text: str) -> str:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
