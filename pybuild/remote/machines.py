"""Remote build machines: the ``builders`` setting and machines files, as Nix writes them.

A machine is one line of columns separated by blanks, ``-`` for an empty one::

    ssh://[user@]host[:port][?home=DIR&pybuild=CMD] SYSTEMS SSH-KEY JOBS SPEED FEATURES
        MANDATORY HOST-KEY

Only the URI is needed; without a scheme (``[user@]host``) or with Nix's ``ssh-ng://`` it is
ssh's, as in Nix (pybuild speaks its own protocol over ssh whichever scheme). ``home``
is the remote ``PYBUILD_HOME``, absolute or ``~/DIR`` in the remote user's home (default:
that user's usual one), ``pybuild`` the command that runs pybuild there (default: the
``remote_pybuild`` setting).
SYSTEMS is read for Nix compatibility only: a derivation here names an interpreter, not a
platform. JOBS (default 1) is how many builds the machine takes at once; SPEED ranks
machines that are equally busy; FEATURES lists what it supports (comma-separated) and a
derivation whose ``requiredSystemFeatures`` it lacks is not sent to it; a machine with
MANDATORY features takes only derivations that require them all. HOST-KEY is the base64 of
the machine's public host key line (``base64 -w0 /etc/ssh/ssh_host_ed25519_key.pub``), as
in Nix: ssh then accepts that key only, whatever its known-hosts files say.

The ``builders`` setting holds machine lines separated by ``;`` or newlines, and
``@FILE`` reads a machines file (``#`` starts a comment), like Nix's ``/etc/nix/machines``.

Example::

    >>> [m] = parse_machines("ssh://root@build1:2222?home=/srv/pybuild - - 4 2 big")
    >>> m.host, m.port, m.user, m.home, m.jobs, m.features
    ('build1', 2222, 'root', '/srv/pybuild', 4, frozenset({'big'}))
"""

from __future__ import annotations

import base64
import difflib
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .errors import MachinesError

__all__ = ["Machine", "parse_machines", "required_features"]

_COLUMNS = 8
# The name a machine's HOST-KEY is known by in the known-hosts file written for it: ssh looks
# its key up under that name only (not the host's, nor host:port), in that file only.
_HOST_KEY_ALIAS = "pybuild-builder"
_QUERY_KEYS = frozenset({"home", "pybuild"})
# Nix's two ssh schemes: they choose the protocol Nix speaks over ssh, and pybuild speaks its
# own over either, so a line copied from a Nix machines file works with both.
_SCHEMES = frozenset({"ssh", "ssh-ng"})
# Options every connection gets: no prompt ever (a build is not interactive), no forwarding,
# and a dead peer noticed within a minute instead of never.
_SSH_DEFAULTS = (
    "-T",
    "-x",
    "-a",
    "-o",
    "BatchMode=yes",
    "-o",
    "ServerAliveInterval=15",
    "-o",
    "ServerAliveCountMax=4",
)


@dataclass(frozen=True)
class Machine:
    """One remote builder: where it is, how to reach pybuild there, what it takes."""

    uri: str
    host: str
    user: str | None = None
    port: int | None = None
    home: str | None = None
    pybuild: str | None = None
    ssh_key: str | None = None
    jobs: int = 1
    speed: int = 1
    features: frozenset[str] = frozenset()
    mandatory: frozenset[str] = frozenset()
    host_key: str | None = None  # its public host key line ("ssh-ed25519 AAAA…"), if given

    def accepts(self, required: frozenset[str]) -> bool:
        """Whether a derivation requiring the features `required` may be sent here."""
        return required <= self.features | self.mandatory and self.mandatory <= required

    def known_hosts(self) -> str:
        """The known-hosts file that makes ssh accept this machine's host key only (its
        text; written by the caller, whose path goes to :meth:`ssh_command`)."""
        assert self.host_key is not None
        return f"{_HOST_KEY_ALIAS} {self.host_key}\n"

    def ssh_command(
        self,
        ssh_options: Sequence[str],
        remote_pybuild: str,
        connect_timeout: int = 0,
        known_hosts: str = "",
    ) -> list[str]:
        """The OpenSSH client command that starts ``pybuild serve --stdio`` there.

        `known_hosts` is the path of the file :meth:`known_hosts` wrote, for a machine with a
        host key: ssh then checks the host against that key, before `ssh_options`, as the
        SSH-KEY column's identity goes before them.

        `connect_timeout` (seconds, 0: none) bounds the connection and ssh's handshake: a
        host that drops packets, or accepts and never answers, would otherwise hold a build
        for as long as the system's TCP retries, or forever. It follows `ssh_options`, as
        ssh keeps the first value of an option: a ``ConnectTimeout`` there wins.
        """
        argv = ["ssh", *_SSH_DEFAULTS]
        if self.port is not None:
            argv += ["-p", str(self.port)]
        if self.ssh_key:
            argv += ["-i", self.ssh_key]
        if known_hosts:
            argv += [
                "-o", f"HostKeyAlias={_HOST_KEY_ALIAS}",
                "-o", f"UserKnownHostsFile={known_hosts}",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "CheckHostIP=no",
            ]  # fmt: skip
        argv += ssh_options
        if connect_timeout:
            argv += ["-o", f"ConnectTimeout={connect_timeout}"]
        argv += ["--", f"{self.user}@{self.host}" if self.user else self.host]
        remote = f"{self.pybuild or remote_pybuild} serve --stdio"
        if self.home:
            remote += f" --home {shlex.quote(self.home)}"
        return [*argv, remote]


def parse_machines(
    text: str, base: Path | None = None, source: Path | None = None
) -> list[Machine]:
    """The machines of a ``builders`` value: lines separated by ``;`` or newlines, ``@FILE``
    includes; `base` is the folder relative ``@FILE`` names are read from, `source` the
    machines file `text` is, whose name and line an error then starts with."""
    machines: list[Machine] = []
    for number, raw in enumerate(text.splitlines(), 1):
        for part in raw.split(";"):
            line = part.partition("#")[0].strip()
            try:
                if line.startswith("@"):
                    machines += _read_file(Path(line[1:]) if base is None else base / line[1:])
                elif line:
                    machines.append(_parse_line(line))
            except MachinesError as exc:
                if source is None:
                    raise
                raise MachinesError(f"{source}:{number}: {exc.args[0]}") from None
    return machines


def required_features(env: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The ``requiredSystemFeatures`` of a derivation's environment, as Nix spells it."""
    return frozenset(dict(env).get("requiredSystemFeatures", "").split())


def _read_file(path: Path) -> list[Machine]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise MachinesError(f"cannot read machines file {path}: {exc.strerror}") from None
    return parse_machines(text, path.parent, path)


def _parse_line(line: str) -> Machine:
    columns = line.split()
    if len(columns) > _COLUMNS:
        raise MachinesError(f"machine {line!r}: {len(columns)} columns, at most {_COLUMNS}")
    columns += ["-"] * (_COLUMNS - len(columns))
    uri, _systems, key, jobs, speed, features, mandatory, host_key = (
        None if c == "-" else c for c in columns
    )
    assert uri is not None  # a line is never empty here, and "-" is no URI
    try:  # urllib's ValueError: an IPv6 address's bracket unclosed, a query field without =
        parts = urlsplit(uri if "://" in uri else f"ssh://{uri}")  # Nix's [user@]host
        query = parse_qs(parts.query, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise MachinesError(f"machine {uri!r}: {exc}") from None
    if parts.scheme not in _SCHEMES or not parts.hostname or parts.path not in ("", "/"):
        raise MachinesError(
            f"machine {uri!r} is not ssh://[user@]host[:port][?home=DIR&pybuild=CMD]"
            " (ssh-ng:// or no scheme, as Nix writes it, is the same)"
        )
    _check_query(uri, query)
    home = query.get("home", [None])[0]
    if home is not None and not (home.startswith("/") or home == "~" or home.startswith("~/")):
        raise MachinesError(
            f"machine {uri!r}: home {home!r} is relative: give an absolute path, or ~/DIR for"
            " a folder of the remote user's home"
        )
    return Machine(
        uri=uri,
        host=parts.hostname,
        user=parts.username,
        port=_port(uri, parts.netloc),
        home=home,
        pybuild=query.get("pybuild", [None])[0],
        ssh_key=key,
        jobs=_count(uri, "jobs", jobs),
        speed=_count(uri, "speed", speed),
        features=frozenset((features or "").split(",")) - {""},
        mandatory=frozenset((mandatory or "").split(",")) - {""},
        host_key=None if host_key is None else _host_key(uri, host_key),
    )


def _check_query(uri: str, query: dict[str, list[str]]) -> None:
    """Refuse a query key other than home= and pybuild=, naming it (and the known key it is
    likely a typo of), and a key given twice."""
    for key, values in query.items():
        if key not in _QUERY_KEYS:
            close = difflib.get_close_matches(key, sorted(_QUERY_KEYS), n=1)
            known = f" (did you mean {close[0]}=?)" if close else "; it may hold home= and pybuild="
            raise MachinesError(f"machine {uri!r}: unknown query key {key!r}{known}")
        if len(values) > 1:
            raise MachinesError(f"machine {uri!r}: {key}= is given twice")


def _host_key(uri: str, column: str) -> str:
    """The public host key line whose base64 is `column`, as Nix's machines files give it."""
    try:
        line = base64.b64decode(column, validate=True).decode("ascii").strip()
        kind, key = line.split()[:2]
        base64.b64decode(key, validate=True)
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        raise MachinesError(
            f"machine {uri!r}: its public host key {column[:40]!r} is not the base64 of a"
            " public key line ('ssh-ed25519 AAAA…'): write the output of"
            " base64 -w0 /etc/ssh/ssh_host_ed25519_key.pub there, or - for none"
        ) from None
    if "\n" in line:
        raise MachinesError(f"machine {uri!r}: its public host key holds more than one line")
    return f"{kind} {key}"


def _port(uri: str, netloc: str) -> int | None:
    """The port of `netloc` ([user@]host[:port]), None if it names none; read here, not by
    urllib, whose one ValueError does not tell a word from a number out of range, and which
    takes port 0."""
    # After the user, and after an IPv6 address's brackets, whose colons are not the port's.
    text = netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise MachinesError(f"machine {uri!r}: the port {text!r} is not a number")
    if not 1 <= int(text) <= 65535:
        raise MachinesError(f"machine {uri!r}: the port {text} is out of range (1-65535)")
    return int(text)


def _count(uri: str, what: str, text: str | None) -> int:
    if text is None:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise MachinesError(f"machine {uri!r}: {what} must be a positive integer, not {text!r}")
    return int(text)
