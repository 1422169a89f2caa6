"""coverage.py, code coverage (typer's tests run their examples under ``coverage run``); from
its binary wheels, with the C tracer.

The hashes pin its compiled wheels for CPython 3.10 to 3.13 on manylinux x86_64 and aarch64,
macOS and Windows, and the pure wheel for the rest (CPython 3.14: the release has no wheel for
it), the files pip and uv would choose (`pybuild update-pins coverage` rewrites them). With
the pure wheel alone, coverage traced in Python, warning so on every run: typer's 1,600
tests took 266 s in a venv against 221 s with the C tracer. 7.9.2 is the last release with a
pure wheel that still supports Python 3.10.
"""


def recipe(build_python_package, fetch_pypi):
    version = "7.9.2"
    return build_python_package(
        pname="coverage",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "coverage",
            version,
            kind="wheel",
            hashes={
                "coverage-7.9.2-cp310-cp310-macosx_10_9_x86_64.whl": (
                    "sha256-Zig6GSoUo4VLLn80GNfbBc30EQEqt/9duY/zsYHh+RI="
                ),
                "coverage-7.9.2-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-TgHROFQO80/PNcGqJNBsPeKkz/o0nimhAFZUTzXMoV8="
                ),
                "coverage-7.9.2-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-8iYnwf4nRe6Y06uHZ5ynOpfnXKdetfruSGYNBgh1Rl8="
                ),
                "coverage-7.9.2-cp310-cp310-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-wQyIKxFPr4Lb0z6HbQy9Xh0evA0qdM7vZCxhUvP01Uc="
                ),
                "coverage-7.9.2-cp310-cp310-win_amd64.whl": (
                    "sha256-DAN4unh2gasYl/fIm0Fb1WsLLZpH5aPY3A6lWqwRjWw="
                ),
                "coverage-7.9.2-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-p6VqKWSpaHtqultc7WlxrzCO9veakQQ8Bd1O4+vD6bo="
                ),
                "coverage-7.9.2-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-Ej1YnzLBHZvn/i5m2COiNv51mwCW9ds/sbdbL6QUpPo="
                ),
                "coverage-7.9.2-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-MzsuDKV2p9vWboWrQC41wDsLIvUl7tgmgcS4ZuLiZTo="
                ),
                "coverage-7.9.2-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-Gee+TP7CSN84zkCWjJXTlS+//Ve0ANS5u1gPKBeVVtI="
                ),
                "coverage-7.9.2-cp311-cp311-win_amd64.whl": (
                    "sha256-VJyrSJL8ggBPlzmWMWP9Oqx6ew30MGabdbhtKT0t8qc="
                ),
                "coverage-7.9.2-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-rp6wfxz6zZz+jq7m9P9LiiiaZow5wWXNDIVISEkg/8A="
                ),
                "coverage-7.9.2-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-nOhVUfmhEZ8CrcRtMBS17j92XerBZqzyDbuFHOt5tvM="
                ),
                "coverage-7.9.2-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-+PY4msl3xfsyLg44iF+7+QF0P3nUf1DbcG52RNzctuE="
                ),
                "coverage-7.9.2-cp312-cp312-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-+uk5gR4U5T7YqYGNrVHUNKQe4J35MFZjc18uLS19lZs="
                ),
                "coverage-7.9.2-cp312-cp312-win_amd64.whl": (
                    "sha256-nfsHD4MHOe5J18g+SUHMdn5QPkOU/eyztUv9rB12YsA="
                ),
                "coverage-7.9.2-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-mFq+fyQuDXu6IoqwEHD94dbI+hLxQuQ96+ntHd5oYDg="
                ),
                "coverage-7.9.2-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-gsOTkmSnbUT95/ITkkAh7TH1XvKBEaGWSf7JDA8Qnm0="
                ),
                "coverage-7.9.2-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-rl1WPpcNvgQ4L3NuwhTvSBA9G4dZZ8idg8bj8hcG1bM="
                ),
                "coverage-7.9.2-cp313-cp313-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-JW6ofLKh7Zkrzfw0nYBC3OobgENvTd9uJG1r7ktdc7Y="
                ),
                "coverage-7.9.2-cp313-cp313-win_amd64.whl": (
                    "sha256-EV2z0fTT819bsCHicO3YUBGTT/l8h5cha2L0Yd1pN0s="
                ),
                "coverage-7.9.2-py3-none-any.whl": (
                    "sha256-5CXNWwD2/A7Xzb12bHC+i6q0t4OeTU/l+sSFgd2WjqQ="
                ),
            },
        ),
    )
