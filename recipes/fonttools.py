"""fontTools, reading and writing fonts (matplotlib embeds fonts with it); from its sdist.

It has no ``pyproject.toml``, so the legacy setuptools backend builds it; its ``setup.py``
asks for wheel when it runs ``bdist_wheel``. A few modules (cu2qu, qu2cu, the glyph pens…)
are compiled with Cython only when asked; ``FONTTOOLS_WITH_CYTHON=0`` keeps the build pure
Python, which works the same, only slower. No runtime dependencies without extras; the
``plot`` extra is matplotlib. It needs Python 3.11: on 3.10 the set's ``fonttools`` is
``fonttools_4_65``, the last release for it.

Its test suite runs in the check phase (about 6,900 tests), but for the tests whose font
files the sdist does not ship (.tfm, .vtp, one .cff) and the 30 slowest (``SLOW``, 2 to 6 s
each; most are stress tests of fonts with more glyphs than 16-bit glyph ids count). On CI's
two cores those 30 took 97 s of the suite's 178 s, and CI runs the suite on three interpreters
(matplotlib needs fontTools); the other tests of such fonts still run.
"""

_MERGE = "Tests/merge/merge_test.py::test_merge"
SLOW = [
    "Tests/varLib/builder_test.py::test_vhvar_beyond_64k",
    "Tests/varLib/instancer/instancer_test.py::InstantiateOTLTest::test_full_instance_save_beyond64k",
    "Tests/varLib/instancer/instancer_test.py::InstantiateAvar2Test::test_offset_compensation_exhaustive",
    "Tests/varLib/varLib_test.py::test_varlib_build_GPOS_GDEF_beyond64k",
    "Tests/varLib/varLib_test.py::test_varlib_merge_PairPos_beyond64k_disjoint_masters",
    "Tests/varLib/varLib_test.py::test_varlib_merge_GDEF_GlyphClassDef_beyond64k_divergent_masters",
    "Tests/varLib/varStore_test.py::test_optimize_overflow",
    *(f"{_MERGE}_extended_uvs[True-{a}-{b}]" for a in (14, 15) for b in (14, 15)),
    *(
        f"{_MERGE}_dmap[True-{only}-{uvs}-{fmt}]"
        for only in (True, False)
        for uvs in ("default", "nondefault", "zero")
        for fmt in (14, 15)
    ),
    f"{_MERGE}_uses_upper_tables_above_glyph_limit",
    f"{_MERGE}_uses_upper_layout_above_glyph_limit",
    "Tests/merge/merge_test.py::MergeIntegrationTest::test_merge_cff",
    *(
        f"Tests/subset/subset_test.py::test_subset_extended_layout_high_glyph_ids[{a}-{b}]"
        for a in (True, False)
        for b in (True, False)
    ),
]


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
            **dict.fromkeys(SLOW, "slow (2-6 s): see the recipe's docstring"),
        },
        disabled_tests={
            "fontTools.tfmLib": "the module's doctest reads a .tfm font not in the sdist"
        },
    )
