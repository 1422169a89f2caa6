"""Add a private package from a local folder.

`pybuild shell --overlay overlays/private_package.py -p hello_private --run hello-private`

The source is a folder, not a download: it is copied into the store by content, so editing it
gives a new store path and nothing else changes. Its dependencies come from the final set, as
for any recipe, and so does `build_python_package`: `no_checks.py` reaches it, given before
or after this overlay.
"""

from pathlib import Path

SOURCE = Path(__file__).parent / "private" / "hello_private"


def overlay(final, prev):
    return {
        "hello_private": final.build_python_package(
            pname="hello-private",
            version="0.1.0",
            src=SOURCE,
            build_system=[final.setuptools],
            dependencies=[final.requests],
        )
    }
