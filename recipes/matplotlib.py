"""Matplotlib, 2D plotting; from its binary wheel.

Building it needs meson-python and pybind11 (no recipes), setuptools-scm below 10 (the set's is
10), a C++ compiler and FreeType, so the wheel is used. On Python 3.11 it needs contourpy,
cycler, fonttools, kiwisolver, numpy, packaging, pillow, pyparsing and python-dateutil at run
time. The hashes pin its wheels for CPython 3.11 to 3.14 on manylinux x86_64 and aarch64, macOS
arm64 and x86_64, Windows amd64 (`pybuild update-pins matplotlib` rewrites them). The release
has no wheel for CPython 3.10: there the set's ``matplotlib`` is ``matplotlib_3_10``
(Matplotlib 3.10, its last release line for 3.10). ``mpl_toolkits`` is a namespace package;
``pylab`` is checked with the rest.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    contourpy,
    cycler,
    fonttools,
    kiwisolver,
    numpy,
    packaging,
    pillow,
    pyparsing,
    python_dateutil,
    matplotlib_3_10,
):
    if python.version_info < (3, 11):
        return matplotlib_3_10
    version = "3.11.2"
    return build_python_package(
        pname="matplotlib",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "matplotlib",
            version,
            kind="wheel",
            hashes={
                "matplotlib-3.11.2-cp311-cp311-macosx_10_12_x86_64.whl": (
                    "sha256-Xh6SOj/DMmuZ7Apv8asTOKxsbMYq2dipyUQZfH+MYiE="
                ),
                "matplotlib-3.11.2-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-wn5Xfs5hPqEqB5DgC064DZAcWaPhbK1HTzHYsVKWkLk="
                ),
                "matplotlib-3.11.2-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-B9m5+mDNTDk2kvUNC7AxIyQt32HJm7DpXnX+s1Tnwag="
                ),
                "matplotlib-3.11.2-cp311-cp311-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-MOwV1+7+5x3ha3xom0K6SXFaRkRlC3amx8cNedryTpE="
                ),
                "matplotlib-3.11.2-cp311-cp311-win_amd64.whl": (
                    "sha256-ok1f025PDnQsOFHc0ggQ5WqVYzo0Lkv2y1kcZ46P5h8="
                ),
                "matplotlib-3.11.2-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-73Unac2WLznqC2/8gtHqQ6ABLFphV8egdSEvpQnPz/I="
                ),
                "matplotlib-3.11.2-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-7zGYXE3ttfFCThrsaEmkfdN2ict/o8ILG4IYfyaAYmE="
                ),
                "matplotlib-3.11.2-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-3093hKyoGpTyVMCidn1ZLuJfQH5Ij1+nID5RCT+2yic="
                ),
                "matplotlib-3.11.2-cp312-cp312-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-G5p61XmFYoQTXkAezJGMX4oBfuMFOSmIYqEJ9RuXFxA="
                ),
                "matplotlib-3.11.2-cp312-cp312-win_amd64.whl": (
                    "sha256-xcHGjuQB/JgnEmNBDw5c6IKFq6z3YnEykU6K3z1w/0M="
                ),
                "matplotlib-3.11.2-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-fUP/jOu1CEBkjLZCmyIoYh29cJAQ8xF7N0Crsgq/IcA="
                ),
                "matplotlib-3.11.2-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-KoKFzqjvTZKqBB0cM3iLyugiSFAzAPk/HKITa5BJRS8="
                ),
                "matplotlib-3.11.2-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-GUSJWWf4fITJtLrSmnB7MfWzbfSjojOeofjqPOUQVTk="
                ),
                "matplotlib-3.11.2-cp313-cp313-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-ryZh9qxrvR0IGZb1T92ThXFcYlrOjOwIaQVcDPvziYE="
                ),
                "matplotlib-3.11.2-cp313-cp313-win_amd64.whl": (
                    "sha256-vAZ8RiqG8OV79S/G4FjZAXGlQgAH2sAMRukBUwUMaac="
                ),
                "matplotlib-3.11.2-cp314-cp314-macosx_10_15_x86_64.whl": (
                    "sha256-yXIfgSdUmdof7rNqLPgZLqCGKDs70Wt9xMnXrttzltY="
                ),
                "matplotlib-3.11.2-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-GjBAsgnzlotOhBYd97F08HqfrTOw8tfkjqO70wdeKGM="
                ),
                "matplotlib-3.11.2-cp314-cp314-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-vz/nH7+47A4xDgvIU3w0BaAfOPJfk5TtITXmIC/tVCs="
                ),
                "matplotlib-3.11.2-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-jIJV3ij5htk1pkycpxwOwtL0HTVWkfXqaEcl3JFBP3E="
                ),
                "matplotlib-3.11.2-cp314-cp314-win_amd64.whl": (
                    "sha256-7OpgPdL7+CQv0xowWosSpOzi3igJaHDGX90NHjW42aY="
                ),
            },
        ),
        dependencies=[
            contourpy,
            cycler,
            fonttools,
            kiwisolver,
            numpy,
            packaging,
            pillow,
            pyparsing,
            python_dateutil,
        ],
    )
