"""NumPy built from its sdist with meson-python, ninja and Cython from the set (``numpy`` is
the binary wheel); the same release, without BLAS and without runtime CPU dispatch.

numpy's own meson (``vendored-meson``, named in its pyproject.toml) configures the build and
meson-python drives it; Cython, ninja and patchelf are build tools (``native_build_inputs``),
on ``PATH`` and importable by the backend. No BLAS or LAPACK: ``-Dblas=none -Dlapack=none``
makes numpy use its internal fallback routines (slow matrix products, as its
``allow-noblas`` option warns), and keeps a system OpenBLAS from being picked up by chance.
No runtime CPU dispatch: ``-Dcpu-dispatch=none`` compiles each SIMD kernel once, for numpy's
baseline (``cpu-baseline=min``: up to SSE4.2 on x86-64), not again for AVX2 and AVX-512 as
numpy's own wheels do: 331 build steps instead of 488, and 367 s of CPU time instead of
515 s on a CI machine. The recipe is there to show that the set builds a compiled package from
source, and every CI run builds it; the ``numpy`` attribute (the wheel) has every kernel. A
source build with them all is this recipe without the option
(``.override_python_attrs(config_settings=…)``).

The check runs one of numpy's own test modules against the installed package (numpy's tests
are installed with it): ``pre_check`` removes the source tree's ``numpy`` folder, which would
otherwise shadow the installed one, as nixpkgs' numpy does by leaving the source tree.

NumPy 2.3 dropped CPython 3.10, so there the recipe builds NumPy 2.2's sdist with the same
options, as the set's ``numpy`` is ``numpy_2_2`` there: the attribute exists on every
interpreter the set supports.
"""

# The release built, and its sdist's hash: the newest, and the last for CPython 3.10.
NEWEST = ("2.4.6", "sha256-86NXDEoqFnRqwsMafHx7DBhrlc6QLjPbbygJTtc4fdo=")
FOR_3_10 = ("2.2.6", "sha256-4pVU4r71SpCqXMB9ps6VWsy4PyGrXeAaYshHiJeyZP0=")


def recipe(
    build_python_package,
    fetch_pypi,
    meson_python,
    cython,
    ninja,
    patchelf,
    pytest,
    hypothesis,
    python,
):
    version, sdist_hash = NEWEST if python.version_info >= (3, 11) else FOR_3_10
    return build_python_package(
        pname="numpy",
        version=version,
        src=fetch_pypi("numpy", version, hash=sdist_hash),
        build_system=[meson_python],
        native_build_inputs=[cython, ninja, patchelf],
        config_settings={
            "setup-args": [
                "-Dblas=none",
                "-Dlapack=none",
                "-Dallow-noblas=true",
                "-Dcpu-dispatch=none",
            ]
        },
        check_inputs=[pytest, hypothesis],
        pre_check="rm -r numpy  # the source tree's package would shadow the installed one",
        pytest_flags=["--pyargs", "numpy.lib.tests.test_index_tricks"],
        meta={
            "description": "Fundamental package for array computing in Python (from source)",
            "homepage": "https://numpy.org",
            "license": "BSD-3-Clause",
        },
    )
