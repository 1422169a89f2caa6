"""tqdm, progress bars; from its sdist (setuptools with setuptools-scm).

setuptools-scm reads the version from the sdist's PKG-INFO. It needs colorama on Windows,
nothing at run time elsewhere; the extras (discord, slack, telegram, notebook) are
left out: their packages have no recipes. The ``tqdm`` command is in ``bin/``.

Its test suite runs in the check phase, with pytest-asyncio and pytest-timeout (the
keras, dask, pandas and rich tests skip), but for ``tests/tests_perf.py``: those time tqdm
against bare loops and give threads 30 seconds, so a busy machine fails them (a CI run of
``build --all`` did, in ``test_lock_args``), and they were 80 of the suite's 85 seconds.
tqdm's own tox configuration runs them in an environment of their own (``-k perf``), and
nixpkgs leaves them out too.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    setuptools,
    setuptools_scm,
    pytest,
    pytest_asyncio,
    pytest_timeout,
    python,
    colorama=None,  # on Windows alone: a set of its own may leave it out
):
    version = "4.70.1"
    return build_python_package(
        pname="tqdm",
        version=version,
        src=fetch_pypi("tqdm", version, hash="sha256-zv0OyhGyo3o67ndlRNT0rpE/AmiBNbVVa4eI36R0r8Q="),
        build_system=[setuptools, setuptools_scm],
        dependencies=[colorama] if python.platform_system == "Windows" else [],
        check_inputs=[pytest, pytest_asyncio, pytest_timeout],
        disabled_test_paths={
            "tests/tests_perf.py": "timings against bare loops: a busy machine fails them"
        },
    )
