"""Werkzeug, the WSGI toolkit under flask; from its sdist (flit-core).

It needs MarkupSafe at run time. The ``watchdog`` extra (its reloader) is left out: no recipe.

Its test suite runs in the check phase (with its dev servers, on the sandbox's loopback),
but for the TLS servers (they need cryptography, which the set lacks, and a server that
dies leaves its test waiting forever) and the unix socket server (the build folder's path is
too long for a socket's).
"""


def recipe(
    build_python_package,
    fetch_pypi,
    flit_core,
    markupsafe,
    pytest,
    ephemeral_port_reserve,
    pytest_timeout,
):
    version = "3.1.9"
    return build_python_package(
        pname="werkzeug",
        version=version,
        src=fetch_pypi(
            "werkzeug", version, hash="sha256-Vcp8cKdWib6TeqJ/j/SwGPBv9IOPxzBFVgvw9aEpEGA="
        ),
        build_system=[flit_core],
        dependencies=[markupsafe],
        check_inputs=[pytest, ephemeral_port_reserve, pytest_timeout],
        disabled_test_paths={
            **{
                f"tests/test_serving.py::{test}": "needs cryptography (not in the set)"
                for test in ("test_server[https]", "test_ssl_dev_cert", "test_ssl_object")
            },
            "tests/test_serving.py::test_server[unix socket]": "the build folder's path is"
            " longer than a unix socket's path may be",
        },
    )
