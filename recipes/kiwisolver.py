"""kiwisolver, the Cassowary constraint solver (matplotlib's layout engine); from its wheel.

Its sdist builds a C++ extension with cppy and setuptools-scm; cppy has no recipe, so the
binary wheel is used. No runtime dependencies. The hashes pin its wheels for CPython 3.10 to
3.14 on manylinux x86_64 and aarch64, macOS arm64 and x86_64, Windows amd64 (`pybuild
update-pins kiwisolver` rewrites them).
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.5.1"
    return build_python_package(
        pname="kiwisolver",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "kiwisolver",
            version,
            kind="wheel",
            hashes={
                "kiwisolver-1.5.1-cp310-cp310-macosx_10_9_x86_64.whl": (
                    "sha256-utINTGnIUcmCoeNgb0wpPt/VqHiFeGxQCCQSJAxLH/0="
                ),
                "kiwisolver-1.5.1-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-Ck+upcbbIBxqITkdKskm6pes99rNvDxBcYnhrbGgCDc="
                ),
                "kiwisolver-1.5.1-cp310-cp310-manylinux_2_12_x86_64.manylinux2010_x86_64.whl": (
                    "sha256-4FwveSXx2Id45Ty0TxTgIjIEo73QmkFmR1A2Os+x8u8="
                ),
                "kiwisolver-1.5.1-cp310-cp310-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-w6TkHjCWvx8PG3bi/9bYKNZUf1dPcC1Zvb73rPpZ25w="
                ),
                "kiwisolver-1.5.1-cp310-cp310-win_amd64.whl": (
                    "sha256-lsMAAkJGcLXh5GSVwrjL/+85z3fB1552RiAp1QM5eFs="
                ),
                "kiwisolver-1.5.1-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-UCXjb7T7J1zvCk4w27EctK5h0cg965AYnLXX5Mr9a1U="
                ),
                "kiwisolver-1.5.1-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-3BomuOUzlaAcLGEeWGAvpHRh8Tb7p81VQubbbWS+GDk="
                ),
                "kiwisolver-1.5.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-laAnUqoDLu9K7QHNptm2h8ZpvQOWv0UZ7vi7oiooZyA="
                ),
                "kiwisolver-1.5.1-cp311-cp311-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-cZo1+hFW2zZAVV+V67lPYKRE5k0caWJrDt7133jroiU="
                ),
                "kiwisolver-1.5.1-cp311-cp311-win_amd64.whl": (
                    "sha256-GnWH3DNfLA9b1Xf9BUC9FsZgBr22D3WaEFnwJebE8HE="
                ),
                "kiwisolver-1.5.1-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-Dr3vPq5TNlaBR8OaVb5qIDb/3lP6qcotl4mJrnwtoSw="
                ),
                "kiwisolver-1.5.1-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-F5joOEDD9ickYQTE2KljnGD6BorfnOkrYXkXgfqKaME="
                ),
                "kiwisolver-1.5.1-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-NGM+z1DRYYerjlUot6JTDy/rTiPzANtGclOLUc/FzTg="
                ),
                "kiwisolver-1.5.1-cp312-cp312-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-0nwhI5d8uSacMKSbpF8DpDIwF+9pPhnbTsnb4SmaMAI="
                ),
                "kiwisolver-1.5.1-cp312-cp312-win_amd64.whl": (
                    "sha256-BqaRdnTeng/j9m9UMHh/Wany3bZK+bcU6uxUfinvXBk="
                ),
                "kiwisolver-1.5.1-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-HtD15J0M7/i3IZCCTZ5ZwGL7vALCMbhTESx4R0s/XsI="
                ),
                "kiwisolver-1.5.1-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-d6TIGHpZSNf4eVrbdlo8e1U9B9htiOQwOPwy/B+5o/M="
                ),
                "kiwisolver-1.5.1-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-dK1cPa1UpGQbTCjNFd7XCJnQRFnGx66sr+pxa+l8zm0="
                ),
                "kiwisolver-1.5.1-cp313-cp313-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-IeRrI6LaaVw2QSSBe8Adlw7/1UgxR/jWampxZ+P2uFE="
                ),
                "kiwisolver-1.5.1-cp313-cp313-win_amd64.whl": (
                    "sha256-3CM5Cv6fTvmsO8xyoDpW7rveA/TFcaMss4+FnP+aZSQ="
                ),
                "kiwisolver-1.5.1-cp314-cp314-macosx_10_15_x86_64.whl": (
                    "sha256-mzCS2JkqHWm3pZw+OfNeG5vjJ6F/aKfDX8FzKeM31vI="
                ),
                "kiwisolver-1.5.1-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-wjBui7U2AZefyz+gnMZeAxh22a4B7/L8vNeoTvlNW8E="
                ),
                "kiwisolver-1.5.1-cp314-cp314-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-GKDPsSRUakwuYIfF8wKcf0SzfIWxQuDO1x9zp1mawgg="
                ),
                "kiwisolver-1.5.1-cp314-cp314-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-NOxGeUBELJlDAW+y1MgdG6hDUe7KLxp4+LyH8boNQUw="
                ),
                "kiwisolver-1.5.1-cp314-cp314-win_amd64.whl": (
                    "sha256-9BZ+h7OX8nPcI1b88er1CmusUeYQX0UQPvcSnI77AlU="
                ),
            },
        ),
    )
