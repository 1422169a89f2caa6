"""tabulate, pretty-printed tables; from its sdist (setuptools with setuptools-scm).

setuptools-scm reads the version from the sdist's PKG-INFO. No runtime dependencies; the
``widechars`` extra (wcwidth) is left out: no recipe. The ``tabulate`` command is in ``bin/``.

Its test suite runs in the check phase (the numpy and pandas tests skip: not check inputs).
"""


def recipe(build_python_package, fetch_pypi, setuptools, setuptools_scm, pytest):
    version = "0.10.0"
    return build_python_package(
        pname="tabulate",
        version=version,
        src=fetch_pypi(
            "tabulate", version, hash="sha256-4s/ej3lCD23u/97amq7DtrxavOlHZV0XrGYrEm5Ipg0="
        ),
        build_system=[setuptools, setuptools_scm],
        check_inputs=[pytest],
    )
