"""NumPy 2.2, the last release for CPython 3.10; from its binary wheel.

NumPy 2.3 dropped Python 3.10, so on 3.10 the set's ``numpy`` is this one (see numpy.py), as
nixpkgs keeps versioned attributes beside the default. It has wheels for CPython 3.10 to 3.13
(none for 3.14, where it is unsupported); `pybuild update-pins numpy_2_2` rewrites the pins.
"""


def recipe(build_python_package, fetch_pypi):
    version = "2.2.6"
    return build_python_package(
        pname="numpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "numpy",
            version,
            kind="wheel",
            hashes={
                "numpy-2.2.6-cp310-cp310-macosx_10_9_x86_64.whl": (
                    "sha256-tBLKpm9yBA5tJoSRpZ8sQ78D62yW3Y8DB4Kf63+itvs="
                ),
                "numpy-2.2.6-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-jkH9Z8UrhmA6kcGlBeuu9QszFN4CE0Ycem6ZyaO+/5A="
                ),
                "numpy-2.2.6-cp310-cp310-macosx_14_0_arm64.whl": (
                    "sha256-N+mQoBrm7H/n+hwmxV7LZy3ZixnD0OHR8yb6E8s40WM="
                ),
                "numpy-2.2.6-cp310-cp310-macosx_14_0_x86_64.whl": (
                    "sha256-WmQp1L6Mpm2Im3z3D1NqOX3EW6b661+MVCeTXZWS6c8="
                ),
                "numpy-2.2.6-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-79KNTpzX16jTkHSk1Exj7ac0AVgMXHas2izpaeCjjoM="
                ),
                "numpy-2.2.6-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-/Htz0C77DhjAAOmti4NIDfzV39EQZZl+1MZ0dHCuiRU="
                ),
                "numpy-2.2.6-cp310-cp310-win_amd64.whl": (
                    "sha256-8P1jIbg5kE4VxG4NJX/dEB3X9TD+A/1jWcHqY3OHA/M="
                ),
                "numpy-2.2.6-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-+fGtsiMY4SHFxpoJFCgRogHvF6sleh5myjAlBlt/U64="
                ),
                "numpy-2.2.6-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-yCCpOwJVvDYPU+yjGg5nb9EQH2c92o2pNFShLiP8X3o="
                ),
                "numpy-2.2.6-cp311-cp311-macosx_14_0_arm64.whl": (
                    "sha256-PXBpIjXnWfJgw9g3GTCQAUrr3wJt/RZ4NLy6Q+MMKkI="
                ),
                "numpy-2.2.6-cp311-cp311-macosx_14_0_x86_64.whl": (
                    "sha256-SBtJCVM1+O7ULjnoBBMnwFsPb0eASI9hKG7TwBNo1JE="
                ),
                "numpy-2.2.6-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-tk2NTRcTXgDI40bgpzjesX51QjDX4IEKxQEnULvYWlo="
                ),
                "numpy-2.2.6-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-uhD4QRiY/EGKUhgz4BSnfTygHBWwxs3M5qDSiX5tu98="
                ),
                "numpy-2.2.6-cp311-cp311-win_amd64.whl": (
                    "sha256-6CEwAuQnxpxFpSu9lBYwhAJfUzpVpZ1vnFuCB3TvMwM="
                ),
                "numpy-2.2.6-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-QcWiH0oE+oZDYSTTiPbtYKk0Om92f87RqKccP7ygOP8="
                ),
                "numpy-2.2.6-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-3nSQZDNtN+NA9kCwXyTp491njFcxjHKJ0iKoovVD6Qw="
                ),
                "numpy-2.2.6-cp312-cp312-macosx_14_0_arm64.whl": (
                    "sha256-iUs6QlAiJqHKyHL4QAMGZfMzJvw9rI5XxgeQV3PNzeM="
                ),
                "numpy-2.2.6-cp312-cp312-macosx_14_0_x86_64.whl": (
                    "sha256-cVlPfFGhjnKEUbtQzGCjzk5lOIInMbKTMgmh82FOkoI="
                ),
                "numpy-2.2.6-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-8mGNuJvhtOBfehqEepwcCr1j5joWB9iS3VRmjdkvr4c="
                ),
                "numpy-2.2.6-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-/YPAEiimiHM/He1SAcZ48MU+zBAG/7xATbn3qJmsYkk="
                ),
                "numpy-2.2.6-cp312-cp312-win_amd64.whl": (
                    "sha256-wflUC+V5QGmO0ymQTbgDz3pALz/CAL/lmTNMm9hKQLI="
                ),
                "numpy-2.2.6-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-CBG7diEJ2XCMyk0LE8T2cUbjw7fPjTQBjHIq2y2VfIQ="
                ),
                "numpy-2.2.6-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-KHzDFitvAUY8zYa+FU8oTQiT0rPtcpJDnql+r6gXDgs="
                ),
                "numpy-2.2.6-cp313-cp313-macosx_14_0_arm64.whl": (
                    "sha256-8TcvBBQC435eYz5Yb2KqU94urI2Yy/uCKAbOS778t00="
                ),
                "numpy-2.2.6-cp313-cp313-macosx_14_0_x86_64.whl": (
                    "sha256-VaTTP6UZZg1pYUqfrUM76H5SUvSwOFBkL4iZP3sspWY="
                ),
                "numpy-2.2.6-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-+ScpyVRoovTxXpu5TEMqkinQ1Q3mcwQ5liepQyAbqi8="
                ),
                "numpy-2.2.6-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-G8I6eb+rxdBW0Qb5vvuNUMMc7S+8cO7bgVWux0pFeY8="
                ),
                "numpy-2.2.6-cp313-cp313-win_amd64.whl": (
                    "sha256-sFRDQ6cC+oDJWtXT1gjqNZndVNRjLfhV5MjSTrbs+hw="
                ),
            },
        ),
    )
