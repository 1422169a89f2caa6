"""attrs, classes without boilerplate; from its sdist (hatchling, hatch-vcs, fancy README).

hatch-vcs reads the version from the sdist's PKG-INFO (no VCS checkout). It installs two
packages, ``attr`` and ``attrs``, and has no runtime dependencies.

Its test suite runs in the check phase, with Hypothesis (cloudpickle, pympler and pyright,
not in the set, skip their tests), but for one test that fails on the release itself.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    hatchling,
    hatch_vcs,
    hatch_fancy_pypi_readme,
    pytest,
    hypothesis,
):
    version = "26.1.0"
    return build_python_package(
        pname="attrs",
        version=version,
        src=fetch_pypi(
            "attrs", version, hash="sha256-0DzricsyKo/XBtT7kZQHN7ZkKqNpmP4TCpvJbJhe/zI="
        ),
        build_system=[hatchling, hatch_vcs, hatch_fancy_pypi_readme],
        check_inputs=[pytest, hypothesis],
        disabled_tests={
            "tests/test_converters.py::TestPipe::test_wrapped_annotation": "fails on the"
            " released package too (upstream bug)"
        },
    )
