"""Pillow, the imaging library (package ``PIL``); from its binary wheel.

Its sdist compiles C against libjpeg, zlib, libpng, FreeType and more; the wheel bundles them.
No runtime dependencies. The hashes pin its wheels for CPython 3.11 to 3.14 on manylinux x86_64
and aarch64, macOS arm64 and x86_64, Windows amd64 (`pybuild update-pins pillow` rewrites
them). The release has no wheel for CPython 3.10: there the set's ``pillow`` is ``pillow_12``
(Pillow 12, its last release line for 3.10).
"""


def recipe(build_python_package, fetch_pypi, python, pillow_12):
    if python.version_info < (3, 11):
        return pillow_12
    version = "13.0.0"
    return build_python_package(
        pname="pillow",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pillow",
            version,
            kind="wheel",
            hashes={
                "pillow-13.0.0-cp311-cp311-macosx_10_10_x86_64.whl": (
                    "sha256-bzjz+IWgnK/JP9ZnsRc6kvN55DeF1jXnmDyJPw2jGfs="
                ),
                "pillow-13.0.0-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-NykPvvDHPi1R1ZTreP3tfccXDRw60KiQJp5v2MjE4GE="
                ),
                "pillow-13.0.0-cp311-cp311-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-fIjBDdQy87Ocza/J7YHQwhuP1jRQJXTadtG/pP4sdtA="
                ),
                "pillow-13.0.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-piXfmipVl/peUmbgGu/IJgS7hdKR41R5gehjVg112mw="
                ),
                "pillow-13.0.0-cp311-cp311-win_amd64.whl": (
                    "sha256-13EOtnbpu2iWXLBFvg0zO0wNf537qn+/EhOFsViGg9M="
                ),
                "pillow-13.0.0-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-Z8jUStifp+uI3l1u9hmbHgPdJJdPhaZ2OfyLrbgB/nk="
                ),
                "pillow-13.0.0-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-/EgfdCzNog6e12C4+Xjf9Q8qTpvCU6wWf7CgWweD71I="
                ),
                "pillow-13.0.0-cp312-cp312-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-i/KV/kWTQ7xgk8jl4N9gv6GJ4Py3daIuLCSI/ezMbA0="
                ),
                "pillow-13.0.0-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-QtY7469Pm5UbGZsKnSM2XTerFGh+bXe3SUBDLIUVxMo="
                ),
                "pillow-13.0.0-cp312-cp312-win_amd64.whl": (
                    "sha256-/z/p62Ifu520xL4zq5Rva6xfmKtQyo0yYFA2U2Vslhs="
                ),
                "pillow-13.0.0-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-71/mt9s/UBxWAAuo/nx+GjXKHUWCT765WmfaqFz/Tb4="
                ),
                "pillow-13.0.0-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-8Ro8E1i7PGgBKnsfQbIjw9ufe/3pC0gd8CjP4cM2MxM="
                ),
                "pillow-13.0.0-cp313-cp313-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-GbZsoKTSXMAgCzgc6CTH6gkNthQnMV5zz7Bdvxs1w2k="
                ),
                "pillow-13.0.0-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-X1ZJnBp00rhivrDDO4AW+Z0JWFhFXfnSFYO7vBwVtYI="
                ),
                "pillow-13.0.0-cp313-cp313-win_amd64.whl": (
                    "sha256-ndoHiKmTJ3anXYvMAgB27cMIziUItR9nOaReMViz/EI="
                ),
                "pillow-13.0.0-cp314-cp314-macosx_10_15_x86_64.whl": (
                    "sha256-ScEq9RUHPpv1EeTvc2dDv3DVMaZDZociJ5MUuTd0K6Q="
                ),
                "pillow-13.0.0-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-2bCivuPz4D6fKQV67bgH2/Hh2W7hudD0ItnbbIWDJx0="
                ),
                "pillow-13.0.0-cp314-cp314-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-WTP86lpbpkxob1XIhqEVy/2S8pAEYHhKHnmQn9uv17Y="
                ),
                "pillow-13.0.0-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-6RwrHL6udoyYdS5n5xfig9aNrkVxe0Hy2R6u5kjje30="
                ),
                "pillow-13.0.0-cp314-cp314-win_amd64.whl": (
                    "sha256-98u3pk5+xmR3UZXk+BkjvIqT2UUblj+ETlkRj2MUeno="
                ),
            },
        ),
    )
