"""NumPy 1.26, the last 1.x release, beside the set's NumPy 2; from its binary wheel.

For code that still needs the NumPy 1 ABI or API. The distribution is the same (``numpy``), so
an environment cannot hold both: asking for ``numpy`` and ``numpy_1`` together is a version
conflict, reported before anything is built. Building it needs meson and a compiler, so the
wheel is used. The hashes pin its wheels for CPython 3.10 to 3.12 on manylinux x86_64 and
aarch64, macOS arm64 and x86_64, Windows amd64 (`pybuild update-pins numpy_1` rewrites them).
The release has no wheel for CPython 3.13 or 3.14 (NumPy 1 ended before them): there the recipe
is unsupported (`pybuild build --all` says so), and so is every package that needs it.
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.26.4"
    return build_python_package(
        pname="numpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "numpy",
            version,
            kind="wheel",
            hashes={
                "numpy-1.26.4-cp310-cp310-macosx_10_9_x86_64.whl": (
                    "sha256-n/D08pxR4oA1adelHCME3lVUZVpgxdd241tKQUE4MNA="
                ),
                "numpy-1.26.4-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-Lk7jOA1t6cnsBHRYMP2eLsyz5s95DTnXuY/9GbDddUo="
                ),
                "numpy-1.26.4-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-0gnYlpWZsnrSCZTI5Bk27glk5toHR41sNQFrw4a2atQ="
                ),
                "numpy-1.26.4-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-/6da8gtE+NuoI0mAJHcdWsUGIOaRWrrEFCUb2XG0Up8="
                ),
                "numpy-1.26.4-cp310-cp310-win_amd64.whl": (
                    "sha256-uX/oBgI27fNmKt/CxjP1agiuMFYMVjEFYstPlVAAItU="
                ),
                "numpy-1.26.4-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-TGZwf6vhFEOduQaO5GjCa735CcrA+1hoakKiTeF2DHE="
                ),
                "numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-7di1/kfasJEXbSG7beVorN2QbRiHpFhKFampah3KBu8="
                ),
                "numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-erVUASh7/slGztOXAMBTeW58wOOsvvCZk6mtKtumym4="
                ),
                "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-Zm2/tuxoliwDOkUJQ97Ykb7S1U5nVeNeWDXWP09pMdU="
                ),
                "numpy-1.26.4-cp311-cp311-win_amd64.whl": (
                    "sha256-zSW87MSXTQklf/zR8Jjud494NMOtdn/l23hb6aSqnLI="
                ),
                "numpy-1.26.4-cp312-cp312-macosx_10_9_x86_64.whl": (
                    "sha256-s84wDzZE+wZEPuIiLCIB3TqJ6mBAVBQSuPoYk0GEchg="
                ),
                "numpy-1.26.4-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-A6jHjQHZeBsoppifb6G7LE8tUSAc+Z092HXfb72Wsjs="
                ),
                "numpy-1.26.4-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-n619yxqsPH8FhKWoEz46Q+6y/hJ/R+NjLUPWd8ZsECs="
                ),
                "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-Z11h/7+nhgRwmGKSMYm62UAUvvVizDXPYdOge7oCp+0="
                ),
                "numpy-1.26.4-cp312-cp312-win_amd64.whl": (
                    "sha256-CL7d8TZI65X42Gc1D2oBikvi5a1UyNjK7YnrylWLKBg="
                ),
            },
        ),
    )
