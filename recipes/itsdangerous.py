"""itsdangerous, cryptographically signed data (flask's sessions); from its sdist.

It asks for ``flit_core<4``, so it builds with flit-core 3. No runtime dependencies.

Its test suite runs in the check phase, with freezegun.
"""


def recipe(build_python_package, fetch_pypi, flit_core_3, pytest, freezegun):
    version = "2.2.0"
    return build_python_package(
        pname="itsdangerous",
        version=version,
        src=fetch_pypi(
            "itsdangerous", version, hash="sha256-4AUMC32h7qU/+vFJwM+7XG4uK2nEvvIsgfputz5fYXM="
        ),
        build_system=[flit_core_3],
        check_inputs=[pytest, freezegun],
    )
