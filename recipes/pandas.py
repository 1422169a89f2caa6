"""pandas, labelled data structures and data analysis; from its binary wheel.

Building it needs meson, Cython, versioneer and a C/C++ compiler, so the wheel is used. On
Python 3.11 on Linux pandas 3 needs only numpy (>=2.0.2) and python-dateutil at run time: it
uses ``zoneinfo`` for time zones, pytz has become the ``timezone`` extra, and tzdata is needed
only on Windows and Emscripten (python-dateutil brings it anyway). The ``plot`` extra is
matplotlib. The hashes pin its wheels for CPython 3.11 to 3.14 on manylinux x86_64 and aarch64,
macOS arm64 and x86_64, Windows amd64 (`pybuild update-pins pandas` rewrites them). The release
has no wheel for CPython 3.10 (pandas 3 needs 3.11): there the set's ``pandas`` is ``pandas_2``
(pandas 2.3, its last release line for 3.10).
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    numpy,
    python_dateutil,
    pytz,
    matplotlib,
    pandas_2,
):
    if python.version_info < (3, 11):
        return pandas_2
    version = "3.1.1"
    return build_python_package(
        pname="pandas",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pandas",
            version,
            kind="wheel",
            hashes={
                "pandas-3.1.1-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-4wwSrzkR51C5wHPgu8ZGBlV1PQEhxdjEodlCRi1F7uA="
                ),
                "pandas-3.1.1-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-eIN7/BWicolt75R+m0emcTY/UpHFJmEFxowG1qGwBF4="
                ),
                "pandas-3.1.1-cp311-cp311-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-WT+ynrXlGrd+43vaerIjKqEHcIive0rL0Yyi9D9sAvU="
                ),
                "pandas-3.1.1-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-TxYC9hS7g/RDOB28u5TErHZLLlDI1sllYUxc2D4yjEc="
                ),
                "pandas-3.1.1-cp311-cp311-win_amd64.whl": (
                    "sha256-SAZmYNsvDWUrD031dDypdem1aAQwhMhuV1sO2mSPfGQ="
                ),
                "pandas-3.1.1-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-SsEUwn8QuHg6nDu/GwighJTh+vsXwqDI21TgYYCHTAE="
                ),
                "pandas-3.1.1-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-OxCuZ9MB6oTQlpOIVXz4uQ6nhw3vFP10NhS96JAQQWM="
                ),
                "pandas-3.1.1-cp312-cp312-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-D2KLuaRoFpXaHcwE7++GvIxnCVMA2NqSi5iGJZyw2to="
                ),
                "pandas-3.1.1-cp312-cp312-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-AoSQyKwuA+GMmwi382EuFJsDVwIJvPdB0jgzp6U3erI="
                ),
                "pandas-3.1.1-cp312-cp312-win_amd64.whl": (
                    "sha256-7vNcs/B9vI4Q4pi4pV7kqgTWUR8n1Sd/E8PfRdO771w="
                ),
                "pandas-3.1.1-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-Ab0dTF/JmTJDgtVUmc7w+cx8GwnZGubavoLwI35Ds6A="
                ),
                "pandas-3.1.1-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-JpcWsHmJmpKVODfRPtIV7y022/jdN4f69hfxFgovUGI="
                ),
                "pandas-3.1.1-cp313-cp313-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-VxErq0TjNnWBIUNc0BzOvB5PylbCjZXXwDvyQY3t6mo="
                ),
                "pandas-3.1.1-cp313-cp313-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-ZF+gD9hc/O0tLAncEW02lPV4UBsc5ImRU/vmR4js2pg="
                ),
                "pandas-3.1.1-cp313-cp313-win_amd64.whl": (
                    "sha256-bYR2DMG9eZRApmtN8s63pQiHDzuLTY3aIb79Ynec07Q="
                ),
                "pandas-3.1.1-cp314-cp314-macosx_10_15_x86_64.whl": (
                    "sha256-pfKQFuQGgmN7Fqy5a9MycSDAXWc8Ty0ZYUgXKOawpMQ="
                ),
                "pandas-3.1.1-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-hi9vvvPwUAXXjfE//ZxEYG/ct2r4dIqxTJAfYYG/N4k="
                ),
                "pandas-3.1.1-cp314-cp314-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-vwz4JXabYPmgGo/3ftgs/KnM8mCRcIFPjwCBD16urnE="
                ),
                "pandas-3.1.1-cp314-cp314-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-MmRZ2Km+EbX0jH/B1j44unz+rr5dQb0Z5MX08R3JrJE="
                ),
                "pandas-3.1.1-cp314-cp314-win_amd64.whl": (
                    "sha256-/dh89NWaPEXxevbsll0L0QufFeG1CC0toRpXdDlVG80="
                ),
            },
        ),
        dependencies=[numpy, python_dateutil],
        optional_dependencies={"timezone": [pytz], "plot": [matplotlib]},
    )
