"""pandas 2.3, the last release line for CPython 3.10; from its binary wheel.

pandas 3 needs Python 3.11, so on 3.10 the set's ``pandas`` is this one (see pandas.py). Unlike
pandas 3 it needs pytz and tzdata at run time, besides numpy and python-dateutil; the ``plot``
extra is matplotlib.
"""


def recipe(build_python_package, fetch_pypi, numpy, python_dateutil, pytz, tzdata, matplotlib):
    version = "2.3.3"
    return build_python_package(
        pname="pandas",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pandas",
            version,
            kind="wheel",
            hashes={
                "pandas-2.3.3-cp310-cp310-macosx_10_9_x86_64.whl": (
                    "sha256-N2xkRq4xdwdkIVpsk39y2RfyFLQ1YGA81g2mQI8YO2w="
                ),
                "pandas-2.3.3-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-4Z0ZI4PqsvTOswtBKyLqMGkMnmGPeIcDV64daCkSAVo="
                ),
                "pandas-2.3.3-cp310-cp310-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-XK8m9kEmtseuyWT3Qmb0Na/vHBsT2jsGNsdRih+j4rE="
                ),
                "pandas-2.3.3-cp310-cp310-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-3XR48UY0Qa5MpzCKcOkLM0cPpZNCn51MV43QDR+niDg="
                ),
                "pandas-2.3.3-cp310-cp310-win_amd64.whl": (
                    "sha256-UDzwJ8+ZQNLOqhqTz7X4yMfm6QcgooUDePCz87HgaCY="
                ),
                "pandas-2.3.3-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-YCuGFevMSgwXUecYQEKN3r6xQuwCx4borWsc48jexSM="
                ),
                "pandas-2.3.3-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-j+Jfx7YjsO9rUAkUlifjTSpGV+iAlI7DyEDpQC5cG0U="
                ),
                "pandas-2.3.3-cp311-cp311-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-tGjT2tb/lH35Lcsy7eW3vUGps8zu8KMO2SX20B+4+mY="
                ),
                "pandas-2.3.3-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-uYVg6YyzNHmcCwfKeWesNhpHMm6bTlp9+1qyscnTWhs="
                ),
                "pandas-2.3.3-cp311-cp311-win_amd64.whl": (
                    "sha256-8Ib2/hFOGdkgFKGWb0Oj5iKFEJr+h08Gf1q73LsQ5Zw="
                ),
                "pandas-2.3.3-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-bSH2106xclwu+qcaK/xmGgaJV5tY6cDKWKc5/wsAK1M="
                ),
                "pandas-2.3.3-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-P9L4h1iceqho4CYyYSujmssLiUj69cxY8IUOFlvUbzU="
                ),
                "pandas-2.3.3-cp312-cp312-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-7K8eEr3APIatSn6oSNZsaFy2hR2AeiaqJFyj0gF6GQg="
                ),
                "pandas-2.3.3-cp312-cp312-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-s9EdL9p+sWTvJ//BS0/KsWqA4c5n6fV+GewK+vcVuok="
                ),
                "pandas-2.3.3-cp312-cp312-win_amd64.whl": (
                    "sha256-oW3OwHigHu747mG/ZAdLTlJKKj9LO+kyZCDKvlnEd4s="
                ),
                "pandas-2.3.3-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-VoUac340cN5/qI5hMfQSge1EDSmpJo3L8AAtpaw2ZxM="
                ),
                "pandas-2.3.3-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-vc2dEWf0iFIR5AGzA2wMjZ4nTu5n6o0HWKJW1gcEz+g="
                ),
                "pandas-2.3.3-cp313-cp313-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-4y58ya8PHMFVSCiKUaO2gcwqIZ+qg46ZX33FPbqxBi0="
                ),
                "pandas-2.3.3-cp313-cp313-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-MY134OQqYowE3Fa870tA3meRj3BBwrBhrx2kHc/2cKw="
                ),
                "pandas-2.3.3-cp313-cp313-win_amd64.whl": (
                    "sha256-+L/A4S3Hj3d/Mj9VxYZJWRss0MQ1NOg1XFHT/t5fTe4="
                ),
                "pandas-2.3.3-cp314-cp314-macosx_10_13_x86_64.whl": (
                    "sha256-7hXyhImOeyRt+Ah/yCuHsBaG+Y7mfYWhe3q0QUOjqaA="
                ),
                "pandas-2.3.3-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-FhGu3ZEuH/gf9Bx0WCKYDEnOSnkHU3voaSyNvDGSRZM="
                ),
                "pandas-2.3.3-cp314-cp314-manylinux_2_24_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-bSzvw2FGFmKsSIEMsUNlo2XOhkr+he8fRH/1oemeqBw="
                ),
                "pandas-2.3.3-cp314-cp314-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-7mesu/BQFOpsdjvrCX4DzWKZYcimMgde6zQkcSCry0s="
                ),
                "pandas-2.3.3-cp314-cp314-win_amd64.whl": (
                    "sha256-GwcgSiGbO3NQq6rgiPRRhgIjpSz7imxTNY55SHNRWOU="
                ),
            },
        ),
        dependencies=[numpy, python_dateutil, pytz, tzdata],
        optional_dependencies={"plot": [matplotlib]},
    )
