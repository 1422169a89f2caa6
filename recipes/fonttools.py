"""fontTools, reading and writing fonts (matplotlib embeds fonts with it); from its sdist.

It has no ``pyproject.toml``, so the legacy setuptools backend builds it; its ``setup.py``
asks for wheel when it runs ``bdist_wheel``. A few modules (cu2qu, qu2cu, the glyph pens…)
are compiled with Cython only when asked; ``FONTTOOLS_WITH_CYTHON=0`` keeps the build pure
Python, which works the same, only slower. No runtime dependencies without extras; the
``plot`` extra is matplotlib. It needs Python 3.11: on 3.10 the set's ``fonttools`` is
``fonttools_4_65``, the last release for it.

Its test suite runs in the check phase (about 7,000 tests, 2 minutes), but for the tests
whose font files the sdist does not ship (.tfm, .vtp, one .cff).
"""


def recipe(
    build_python_package, fetch_pypi, python, setuptools, wheel, matplotlib, pytest, fonttools_4_65
):
    if python.version_info < (3, 11):
        return fonttools_4_65
    version = "4.68.0"
    return build_python_package(
        pname="fonttools",
        version=version,
        src=fetch_pypi(
            "fonttools", version, hash="sha256-cylOIzBw9x4rNlO2vYVkr2dtV/JtB1dh+wbRqy5Kel0="
        ),
        build_system=[setuptools, wheel],
        env={"FONTTOOLS_WITH_CYTHON": "0"},
        optional_dependencies={"plot": [matplotlib]},
        check_inputs=[pytest],
        disabled_test_paths={
            "Tests/tfmLib/tfmLib_test.py": "its .tfm fonts are not in the sdist",
            "Tests/cffLib/cffLib_test.py::CffLibTest::test_reading_supplement_encoding": "its"
            " .cff font is not in the sdist",
            **dict.fromkeys(
                [
                    f"Tests/voltLib/volttofea_test.py::ToFeaTest::test_{t}"
                    for t in ("cli_vtp", "group_order")
                ],
                "its .vtp files are not in the sdist",
            ),
        },
        disabled_tests={
            "fontTools.tfmLib": "the module's doctest reads a .tfm font not in the sdist"
        },
    )
