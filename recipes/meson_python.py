"""meson-python, the PEP 517 backend over meson (numpy, scipy, pandas); from its sdist.

It builds itself (``backend-path = ['.']``) with meson and ninja: meson comes from
``build_system``, ninja and patchelf (which meson-python asks for on Linux) from
``native_build_inputs``, all on ``PATH`` during the build.
``tomli`` is needed below Python 3.11 only, to build it and at run time.

Its tests do not run: they build example packages with a C compiler and git, which the
check phase does not provide yet.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    meson,
    ninja,
    packaging,
    patchelf,
    pyproject_metadata,
    tomli,
):
    version = "0.22.1"
    backports = [tomli] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="meson-python",
        version=version,
        src=fetch_pypi(
            "meson-python", version, hash="sha256-UsiGKLDlZxWS3CMGYT+19vNhX9JN7wWbmJTxQ7f5oTk="
        ),
        build_system=[meson, packaging, pyproject_metadata, *backports],
        native_build_inputs=[ninja, patchelf],
        dependencies=[meson, packaging, pyproject_metadata, *backports],
        imports_check=["mesonpy"],
        meta={
            "description": "Meson Python build backend (PEP 517)",
            "homepage": "https://github.com/mesonbuild/meson-python",
            "license": "MIT",
        },
    )
