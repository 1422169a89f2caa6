"""charset-normalizer, encoding detection (requests uses it); from its sdist, pure Python.

Its in-tree backend (``_build_hook``, over setuptools) compiles two modules with Cython only
when ``CHARSET_NORMALIZER_USE_CYTHON=1``; it is set to ``0`` here, so Cython is neither asked
for nor needed, and the wheel is pure Python (older releases used mypyc and needed mypy).

The sdist pins ``setuptools>=68,<84.1`` for its build, and the set's setuptools is newer, so
the build uses setuptools 84.0.0 (from its wheel), overridden here for this build only.
The console script ``normalizer`` is installed in ``bin/``.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "3.5.2"
    setuptools_84_0 = setuptools.override_python_attrs(
        version="84.0.0",
        src=fetch_pypi(
            "setuptools",
            "84.0.0",
            kind="wheel",
            hashes={
                "setuptools-84.0.0-py3-none-any.whl": (
                    "sha256-UaUlkrO5nhArYJZUh2vWXxn5mZNRZtE1JniTETKwxnA="
                ),
            },
        ),
    )
    return build_python_package(
        pname="charset-normalizer",
        version=version,
        src=fetch_pypi(
            "charset-normalizer",
            version,
            hash="sha256-Od4qJZ/JVEVcVydNyUx51YQndOEkegFq/zC8Dv7Q9O8=",
        ),
        build_system=[setuptools_84_0],
        env={"CHARSET_NORMALIZER_USE_CYTHON": "0"},
        check_inputs=[pytest],
    )
