"""ninja, the small build system meson drives; from its wheel, which ships the ninja binary.

The wheel is ``py3-none-<platform>``: one file serves every CPython of a platform. Its
``ninja`` binary is installed as ``bin/ninja``, so a recipe that lists ``ninja`` in
``native_build_inputs`` finds it on ``PATH`` before the system's. Its files (``pybuild
update-pins``) cover manylinux x86_64 and aarch64, macOS (universal2) and Windows amd64.
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
            hashes={
                "ninja-1.13.0-py3-none-macosx_10_9_universal2.whl": (
                    "sha256-+iqL/GLjGwj4MSfRYT0Qghd1oOszQZcVTE1gZ7cGj/E="
                ),
                "ninja-1.13.0-py3-none-manylinux2014_aarch64.manylinux_2_17_aarch64.whl": (
                    "sha256-PQDGkvtxf9URq+tEuMXQA0DDaTjBLWU4upif52TnljA="
                ),
                "ninja-1.13.0-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-+0as9rk7jdAyKtw6SUVFKk53S3W5EpO6/Me3+OZRffo="
                ),
                "ninja-1.13.0-py3-none-win_amd64.whl": (
                    "sha256-+47ocZ+K9H/tFFzO1KhfB1XdVdRbK92vdDH6iYA8Xz4="
                ),
            },
        ),
        meta={
            "description": "Ninja, a small build system with a focus on speed",
            "homepage": "https://ninja-build.org",
            "license": "Apache-2.0",
        },
    )
