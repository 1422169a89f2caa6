"""Pillow, the imaging library (package ``PIL``); from its binary wheel.

Its sdist compiles C against libjpeg, zlib, libpng, FreeType and more; the wheel bundles
them. No runtime dependencies. The hash pins the file for CPython 3.11 on manylinux x86_64
(pillow-13.0.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi):
    version = "13.0.0"
    return build_python_package(
        pname="pillow",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pillow",
            version,
            kind="wheel",
            hash="sha256-piXfmipVl/peUmbgGu/IJgS7hdKR41R5gehjVg112mw=",
        ),
    )
