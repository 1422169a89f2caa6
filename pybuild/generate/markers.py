"""The PEP 508 marker environment of a set's interpreter, which may not be the one running us.

Dependencies such as ``tomli; python_version < "3.11"`` must be decided for the Python the
packages are built for. For the running interpreter that is ``default_environment()``; another
one is asked once (a process start) and the answer is cached beside the interpreter facts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from ..atomic import write_atomic
from ..errors import UsageError
from ..python.interpreter import Interpreter

__all__ = ["marker_environment"]

_QUERY = (
    "import json; from packaging import markers; print(json.dumps(markers.default_environment()))"
)


def marker_environment(python: Interpreter) -> dict[str, str]:
    """The values of PEP 508 marker variables for `python` (without ``extra``).

    Example::

        >>> import sys
        >>> env = marker_environment(Interpreter.current())
        >>> env["python_version"] == "%d.%d" % sys.version_info[:2], env["sys_platform"]
        (True, 'linux')
    """
    return dict(_environment(python.executable, python.identity))


@functools.lru_cache(maxsize=8)
def _environment(executable: str, identity: str) -> tuple[tuple[str, str], ...]:
    if os.path.realpath(sys.executable) == executable:
        from packaging.markers import default_environment

        return tuple(sorted((str(k), str(v)) for k, v in default_environment().items()))
    from ..python.interpreter import facts_folder
    from ..store import default_home

    key = hashlib.sha256(identity.encode()).hexdigest()[:32]
    cache = facts_folder(default_home()) / f"markers-{key}.json"
    try:
        return tuple(sorted(json.loads(cache.read_text()).items()))
    except (OSError, ValueError, AttributeError):
        pass
    import packaging

    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(Path(packaging.__file__).parent.parent),
    }
    try:
        out = subprocess.run(
            [executable, "-S", "-c", _QUERY], env=env, capture_output=True, text=True, check=True
        ).stdout
        values = {str(k): str(v) for k, v in json.loads(out).items()}
    except (OSError, subprocess.CalledProcessError, ValueError) as exc:
        raise UsageError(f"cannot ask {executable} for its marker values: {exc}") from None
    write_atomic(cache, json.dumps(values, sort_keys=True))
    return tuple(sorted(values.items()))
