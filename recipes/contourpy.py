"""contourpy, contour lines and polygons for matplotlib; from its binary wheel.

Its sdist builds a C++ extension with meson and pybind11, which have no recipes. 1.3.3 is the
newest release. It needs numpy at run time. The hashes pin its wheels for CPython 3.11 to 3.14
on manylinux x86_64 and aarch64, macOS arm64 and x86_64, Windows amd64 (`pybuild update-pins
contourpy` rewrites them). The release has no wheel for CPython 3.10: there the set's
``contourpy`` is ``contourpy_1_3_2`` (contourpy 1.3.2, its last release line for 3.10).
"""


def recipe(build_python_package, fetch_pypi, python, numpy, contourpy_1_3_2):
    if python.version_info < (3, 11):
        return contourpy_1_3_2
    version = "1.3.3"
    return build_python_package(
        pname="contourpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "contourpy",
            version,
            kind="wheel",
            hashes={
                "contourpy-1.3.3-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-cJpI75ppDhNDICkWRQvEi55RwEmwicf3miZ7Rs/82qE="
                ),
                "contourpy-1.3.3-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-I0FvOL/XTV0oq4QpzE1j+mfVBovXEahe2xw/sMPi84E="
                ),
                "contourpy-1.3.3-cp311-cp311-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-kp3fjEx/NI5MClo6cUtchUL/qowilUhipGyhgTtmfuc="
                ),
                "contourpy-1.3.3-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-UeecH3RwFY6DiAjUqZb6m6xyxJjpPY6+URm8HmvssNs="
                ),
                "contourpy-1.3.3-cp311-cp311-win_amd64.whl": (
                    "sha256-NRlCj2vlhDHFZYHxaUuo5QYm8t1VCvIl+C+19YFNKkI="
                ),
                "contourpy-1.3.3-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-sIoy6i+OQs8dS+MWmpjdS+Mrr+TyK2xMtLqBD6nl0ss="
                ),
                "contourpy-1.3.3-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-VW26j7b12HQvKSP+lFfb3VHhBJxKQ/05hqCxSh2BX8Y="
                ),
                "contourpy-1.3.3-cp312-cp312-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-ktmryAfPfQ4Ee5XKXZV89HkvzQTpIMpw1IrdFcGpDqc="
                ),
                "contourpy-1.3.3-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-TQDmVfzvCKujXslhBTa/6QJn16tbqUT3AyVJxVoUbaE="
                ),
                "contourpy-1.3.3-cp312-cp312-win_amd64.whl": (
                    "sha256-gVO4v8EeHk11vLC/8dsjL54QsnTgkp3p1ggCfg00/4s="
                ),
                "contourpy-1.3.3-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-F3+zZ1VnR6aGUJ1v73HSIaSxmKOQX+gkQw5eoP2lTrU="
                ),
                "contourpy-1.3.3-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-0AK28A1z1pMz2snQuNXoTZck/57wRP1jxZhuYrfJ4bE="
                ),
                "contourpy-1.3.3-cp313-cp313-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-NIrB9dTx1m0zIkIPAdQuQxIvQ2FuDxlPwcn12DDFsoY="
                ),
                "contourpy-1.3.3-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-TevWTxJMpiBp8xOpy4Zlb/CHeGAW12knrizzeEawBsk="
                ),
                "contourpy-1.3.3-cp313-cp313-win_amd64.whl": (
                    "sha256-HK3YuJafBgukXtfBtxT+aRhYEqtDvWuGqRI/6PmcMmM="
                ),
                "contourpy-1.3.3-cp314-cp314-macosx_10_13_x86_64.whl": (
                    "sha256-/ebHFtUcBLHCXQuQNk0L6VRiSg7p1g4j6FDo1INT0Ho="
                ),
                "contourpy-1.3.3-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-y+23cu10/1vkQPqO7pvUn2T24/wJQ22cfY8cKHsSHXc="
                ),
                "contourpy-1.3.3-cp314-cp314-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-IumxvXqbHWUs13OIRl3DWNr80uIX01VSQkqk+Zb1JPU="
                ),
                "contourpy-1.3.3-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-9kg23gmSfLpvedzQD919Uynz/MxjNGhQcHnIKcpNtOM="
                ),
                "contourpy-1.3.3-cp314-cp314-win_amd64.whl": (
                    "sha256-z5Ai7wU/JpTjHWMP6qyyHqJCJL4cOtBSCxPYRCdGFP0="
                ),
            },
        ),
        dependencies=[numpy],
    )
