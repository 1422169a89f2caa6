"""NumPy, n-dimensional arrays; from its binary wheel (building it needs meson and a compiler).

``fetch_pypi`` in a set picks, among the pinned wheels, the best one for the set's interpreter
tags. The hashes pin its wheels for CPython 3.11 to 3.14 on manylinux x86_64 and aarch64, macOS
arm64 and x86_64, Windows amd64 (`pybuild update-pins numpy` rewrites them). The release has no
wheel for CPython 3.10 (NumPy 2.3 dropped it): there the set's ``numpy`` is ``numpy_2_2``
(NumPy 2.2, its last release line for 3.10).
"""


def recipe(build_python_package, fetch_pypi, python, numpy_2_2):
    if python.version_info < (3, 11):
        return numpy_2_2
    version = "2.4.6"
    return build_python_package(
        pname="numpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "numpy",
            version,
            kind="wheel",
            hashes={
                "numpy-2.4.6-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-AoDgNWwIKaGNneHLfu5Q7CLKY5h41yQDB8oJQ9c80sQ="
                ),
                "numpy-2.4.6-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-EQ+LcarLaI7GkGK7f2k4oPissBt8HEvrRTxlttI0WE0="
                ),
                "numpy-2.4.6-cp311-cp311-macosx_14_0_arm64.whl": (
                    "sha256-TP5mkDzDKpkhpnM9lrGbtqvzEDl1gbuticIo9auvDug="
                ),
                "numpy-2.4.6-cp311-cp311-macosx_14_0_x86_64.whl": (
                    "sha256-gVUVTHxpEon+GPUQtdRlfGjGeYnyk/BTWpE2A5L/ZTg="
                ),
                "numpy-2.4.6-cp311-cp311-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-CrCpxP+xptle9Rn+QkfbqOtrGK2TmZ92t/ZXA5rKvUc="
                ),
                "numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-ic1Gg5nP0lBHGPC6UOQQ3KVaFwthoCrZK7GMimUYbpM="
                ),
                "numpy-2.4.6-cp311-cp311-win_amd64.whl": (
                    "sha256-HiVKAM30Kx5NWz1o0zr2MmjUE0DYiF3yq2Rw8uFQAUc="
                ),
                "numpy-2.4.6-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-AB+7jgjZQt1XWZ54HyRyJp7n8nVfrkB7T2ey8LF9o/E="
                ),
                "numpy-2.4.6-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-6/sJn43PCD3u86wcpMFQPzh892KW/LOBa2b17LX1T9s="
                ),
                "numpy-2.4.6-cp312-cp312-macosx_14_0_arm64.whl": (
                    "sha256-MhPWIqAoOjmpPRiPPPcrJoYt9S+7TKNpf1FwUBZSPUE="
                ),
                "numpy-2.4.6-cp312-cp312-macosx_14_0_x86_64.whl": (
                    "sha256-NXzAem17Cxgv8CJJYWoDdCgn67EndUa1x81/diCkVpg="
                ),
                "numpy-2.4.6-cp312-cp312-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-X5+5FXtM4pcQCDI6/kYFN4e1Ju9iT+qRWyYUaKhCGg8="
                ),
                "numpy-2.4.6-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-kPmElnjHX+evotNIrIQsFosKTT1hkZaHIW38VHl22FM="
                ),
                "numpy-2.4.6-cp312-cp312-win_amd64.whl": (
                    "sha256-2OgobdfOp4lRVzGNG5HNrKxkxHnzy8jc5UgzFyhIR1E="
                ),
                "numpy-2.4.6-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-UR26+Ejeyqr0tMpIAyYZ+zE4cQxL99p2F3Ze2tHvlrA="
                ),
                "numpy-2.4.6-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-vxYqurHBpzYzMZJwfO+JjnNaXKAPOPJ+7t9Es52ehes="
                ),
                "numpy-2.4.6-cp313-cp313-macosx_14_0_arm64.whl": (
                    "sha256-BDGRv6jqsYx3Zke2JyOsnd3s5ZdDsT9JsgFglBKcKz8="
                ),
                "numpy-2.4.6-cp313-cp313-macosx_14_0_x86_64.whl": (
                    "sha256-YYDYs1r5Na7Y7OOoXgpD+HOTrgrIfI0si9LJk/cnDvM="
                ),
                "numpy-2.4.6-cp313-cp313-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-cvvhbG+sla7fWTf6hzRFzsIRC+Ndik6UM9dQH9mNrms="
                ),
                "numpy-2.4.6-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-p4MLqyObec2pwIwtoBR2HK+0jaYVDh2hesBig/Q7YIk="
                ),
                "numpy-2.4.6-cp313-cp313-win_amd64.whl": (
                    "sha256-xPyZg2Iz6hllQLF6sJg6/2DtB5QXUZMPX00FvDs7c1k="
                ),
                "numpy-2.4.6-cp314-cp314-macosx_10_15_x86_64.whl": (
                    "sha256-BsovYexDhaB6aXfFW6mYpEZsEjZCtKMmlNMSj84YwHk="
                ),
                "numpy-2.4.6-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-OO+8jedceg/BrBkBYtiSeH8/R7V8wpEjGq/uNrgJgrc="
                ),
                "numpy-2.4.6-cp314-cp314-macosx_14_0_arm64.whl": (
                    "sha256-1YG3NeF3/c3Ob+2OfoiAo/tu5ONlOjrGrwHG9MA+/8U="
                ),
                "numpy-2.4.6-cp314-cp314-macosx_14_0_x86_64.whl": (
                    "sha256-CgQdPXYdw8NcxWzgNRUGoCvLwl97Fp9lJDUUGhfbkJY="
                ),
                "numpy-2.4.6-cp314-cp314-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-QP3BrnEl5RjqmOU+aaTrwn4f1QUQxHt+oTDPIeXh1Cs="
                ),
                "numpy-2.4.6-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-osMG3qZWwSxo9R9M6hM8vnjKdDXrKMc16sHT6+c75ug="
                ),
                "numpy-2.4.6-cp314-cp314-win_amd64.whl": (
                    "sha256-tQf1xMHVCIdtGBm2v5pJ02W5YyC11Jk0JrM6I8pLgmE="
                ),
            },
        ),
    )
