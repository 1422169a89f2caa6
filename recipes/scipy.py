"""SciPy, algorithms for scientific computing; from its binary wheel.

Building it needs meson, Cython, pythran, a Fortran compiler and BLAS/LAPACK, so the wheel
(which bundles OpenBLAS) is used. 1.17.1 is the newest release for Python 3.11 (1.18 needs
3.12); it asks for ``numpy>=1.26.4,<2.7``, which the set's NumPy 2.4 meets. The hashes pin its
wheels for CPython 3.11 to 3.14 on manylinux x86_64 and aarch64, macOS arm64 and x86_64,
Windows amd64 (`pybuild update-pins scipy` rewrites them). The release has no wheel for CPython
3.10 (SciPy 1.16 dropped it): there the set's ``scipy`` is
``scipy_1_15`` (SciPy 1.15, its last release line for 3.10).
"""


def recipe(build_python_package, fetch_pypi, python, numpy, scipy_1_15):
    if python.version_info < (3, 11):
        return scipy_1_15
    version = "1.17.1"
    return build_python_package(
        pname="scipy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "scipy",
            version,
            kind="wheel",
            hashes={
                "scipy-1.17.1-cp311-cp311-macosx_10_14_x86_64.whl": (
                    "sha256-H5W4lPE3KTNPuZAWLpEcnl3BqzkMWKpsvss4nFteKOw="
                ),
                "scipy-1.17.1-cp311-cp311-macosx_12_0_arm64.whl": (
                    "sha256-4Y8SxrC8Wlku0j0/e4kfaP1/gkHWm3iDdp611d+1JpY="
                ),
                "scipy-1.17.1-cp311-cp311-macosx_14_0_arm64.whl": (
                    "sha256-o0cs+8oKVBd9D6po9pfYukyAu9wZkIw0ZVVtn3786e4="
                ),
                "scipy-1.17.1-cp311-cp311-macosx_14_0_x86_64.whl": (
                    "sha256-dm4NxaYW0Cajoc/6N5r5WWcXKQg4gvUDB+GBdXl7Pf0="
                ),
                "scipy-1.17.1-cp311-cp311-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-dEsr82QNkHt58/14dO/kMtHPFx7nISQ+NQ9VI0tM7Ew="
                ),
                "scipy-1.17.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-Q6+NHzvqZCVZAZ7f5k6bERkqiXjvvRU517wqqiPZLeQ="
                ),
                "scipy-1.17.1-cp311-cp311-win_amd64.whl": (
                    "sha256-0w5XxyATwqT+RBwvy453sU4VKtSLVGSFjgfirZ+/zv8="
                ),
                "scipy-1.17.1-cp312-cp312-macosx_10_14_x86_64.whl": (
                    "sha256-NcOlbS74Pvw3Lq7FhDFL0O8uLw0q2yHFXmrVs0TA3Lg="
                ),
                "scipy-1.17.1-cp312-cp312-macosx_12_0_arm64.whl": (
                    "sha256-/LMQ3bJwoGEUu2S75TyUkmuUP1t/CEIZTVhcZetO3XY="
                ),
                "scipy-1.17.1-cp312-cp312-macosx_14_0_arm64.whl": (
                    "sha256-zJDS6cflx/GkgsmHUAfAlcMZSxz+3KPC8ykc3CvHwIY="
                ),
                "scipy-1.17.1-cp312-cp312-macosx_14_0_x86_64.whl": (
                    "sha256-yAvl7ejz+O3tTv9zzJmiXDiM6Y5VWxfTHaBShwFf+ls="
                ),
                "scipy-1.17.1-cp312-cp312-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-4Z6+oxdY+sWJOirDYP7dABFsu3Yo5lCEKmaRunyiiiE="
                ),
                "scipy-1.17.1-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-Aq47J0/eccXpKsTVS8BsQtgOOZ/scEOD3NmbMB3zdFg="
                ),
                "scipy-1.17.1-cp312-cp312-win_amd64.whl": (
                    "sha256-QbcfSjpMq502bNkGWyiO/E1PPAs3qRqOCUf7W9fzHYc="
                ),
                "scipy-1.17.1-cp313-cp313-macosx_10_14_x86_64.whl": (
                    "sha256-XjxcARkEEV+Io5MIN5wX+RVG93wWZ86phzn+D8zqgEw="
                ),
                "scipy-1.17.1-cp313-cp313-macosx_12_0_arm64.whl": (
                    "sha256-b6x1XKPSw+3LIvR5/OqiQXBBEUFIMd3TvGBW4YUWiS8="
                ),
                "scipy-1.17.1-cp313-cp313-macosx_14_0_arm64.whl": (
                    "sha256-f/IAv50k8uTV3G7ow6xk1znTqJ4jJrpoqvbEorg4/X0="
                ),
                "scipy-1.17.1-cp313-cp313-macosx_14_0_x86_64.whl": (
                    "sha256-S0AL3G95+gKk2GZAMQ3eh6IfugyXnv/1JIkIxvFfrRs="
                ),
                "scipy-1.17.1-cp313-cp313-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-K2TKfUruAQKpfzuiISQFK0vSFSUiNVBzWAv0hF4lULY="
                ),
                "scipy-1.17.1-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-WBsiZPwKpVXz9DWllE2nUE6joGXXAprWDnw9GuCcVGQ="
                ),
                "scipy-1.17.1-cp313-cp313-win_amd64.whl": (
                    "sha256-N0JbyRdWB7Amj0k9eaKSw5+dABo1e+u2uI/fr/E/ZEg="
                ),
                "scipy-1.17.1-cp314-cp314-macosx_10_14_x86_64.whl": (
                    "sha256-pIpyx3oxAyf2o6kgCS+iuP0D196qYPCTA48i2Y4JZxc="
                ),
                "scipy-1.17.1-cp314-cp314-macosx_12_0_arm64.whl": (
                    "sha256-RautgZGE8HJA2KaWEXp6rNOXh6+eC3GdAChVSe0Zoek="
                ),
                "scipy-1.17.1-cp314-cp314-macosx_14_0_arm64.whl": (
                    "sha256-P9H82rPqlRthDcTO81bUFtWAKZHn4ytSVIKNNC97fgs="
                ),
                "scipy-1.17.1-cp314-cp314-macosx_14_0_x86_64.whl": (
                    "sha256-e98toXC2f98QvKd3YUscfZauPKV5T9lYfc5B6ylm6GY="
                ),
                "scipy-1.17.1-cp314-cp314-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-rbJkLgYKZUnDQ2A6OFG6du8LdMyMB5qaWBIcfsn+I1A="
                ),
                "scipy-1.17.1-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-7uLP2gTACoVyBqQzDwxePlZTVJTjDKRF6xnsYkrnURg="
                ),
                "scipy-1.17.1-cp314-cp314-win_amd64.whl": (
                    "sha256-OHesQI4U2iSmGW3g3crOYgkr/BKoOCPpLknkB0flLBk="
                ),
            },
        ),
        dependencies=[numpy],
    )
