"""Console scripts that find their dependencies by themselves, relative to their own file.

nixpkgs wraps scripts with a ``PYTHONPATH`` that then leaks into every subprocess. Here a
script's header adds its package's runtime closure as site dirs, each written relative to the
script's real location, so it runs from a clean environment, leaks nothing, and still works
after the store is moved. ``-S`` keeps the interpreter's own site-packages out.
"""

import io
import os
from pathlib import Path

from installer.destinations import SchemeDictionaryDestination
from installer.records import RecordEntry
from installer.scripts import Script
from installer.utils import Scheme

_TEMPLATE = """\
#!{python} -S
# Made by pybuild: adds this package's runtime closure, found relative to this file.
import os
import site
import sys

_here = os.path.dirname(os.path.realpath(__file__))
for _folder in {folders!r}:
    site.addsitedir(os.path.join(_here, _folder))
from {module} import {head}

if __name__ == "__main__":
    sys.exit({attr}())
"""


class PybuildDestination(SchemeDictionaryDestination):
    """installer's destination, with our script header instead of a fixed ``sys.path``."""

    def __init__(self, scheme_dict, *, closure, site_packages, **kwargs) -> None:
        super().__init__(scheme_dict, **kwargs)
        self.closure = closure
        self.site_packages = site_packages

    def write_script(self, name: str, module: str, attr: str, section: str) -> RecordEntry:
        Script(name, module, attr, section)  # type: ignore[arg-type]  # validates the names
        bin_dir = Path(self.scheme_dict["scripts"])
        # Relative to where the output will live (store/<name>/bin), not to the build folder.
        folders = [os.path.join("..", self.site_packages)]
        folders += [
            os.path.join("..", "..", Path(p).name, self.site_packages) for p in self.closure
        ]
        text = _TEMPLATE.format(
            python=self.interpreter,
            folders=folders,
            module=module,
            head=attr.split(".")[0],
            attr=attr,
        )
        with io.BytesIO(text.encode()) as stream:
            entry = self.write_to_fs(Scheme("scripts"), name, stream, is_executable=True)
        (bin_dir / name).chmod(0o755)
        return entry
