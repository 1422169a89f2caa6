"""ninja, the small build system meson drives; from its wheel, which ships the ninja binary.

The wheel is ``py3-none-<platform>``: one file serves every CPython of a platform. Its
``ninja`` binary is installed as ``bin/ninja``, so a recipe that lists ``ninja`` in
``native_build_inputs`` finds it on ``PATH`` before the system's. The hash pins the file for
manylinux x86_64 (ninja-1.13.0-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.13.0"
    return build_python_package(
        pname="ninja",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "ninja",
            version,
            kind="wheel",
            hash="sha256-+0as9rk7jdAyKtw6SUVFKk53S3W5EpO6/Me3+OZRffo=",
        ),
        meta={
            "description": "Ninja, a small build system with a focus on speed",
            "homepage": "https://ninja-build.org",
            "license": "Apache-2.0",
        },
    )
