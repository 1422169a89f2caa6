"""Pillow 12, the last release line for CPython 3.10; from its binary wheel.

Pillow 13 dropped Python 3.10, so on 3.10 the set's ``pillow`` is this one (see pillow.py). No
runtime dependencies.
"""


def recipe(build_python_package, fetch_pypi):
    version = "12.3.0"
    return build_python_package(
        pname="pillow",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pillow",
            version,
            kind="wheel",
            hashes={
                "pillow-12.3.0-cp310-cp310-macosx_10_10_x86_64.whl": (
                    "sha256-bAAW57NUMXxOnlJbk3rIWWw40tIytBlSm5zXoc1G45o="
                ),
                "pillow-12.3.0-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-vMM/6s+u/OYMEv1QCid1M73AKxChn39tNIdj2BQLu6c="
                ),
                "pillow-12.3.0-cp310-cp310-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-VZT8Q9VIp+2UlJ0TmqE0GycPGGPxHP039abIt3imtn8="
                ),
                "pillow-12.3.0-cp310-cp310-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-8GBsi/LN7+oUpDUw92V8u7fs8cQiJRJJLvSkQ0qVAew="
                ),
                "pillow-12.3.0-cp310-cp310-win_amd64.whl": (
                    "sha256-MAVXSV60XruK7JbC2pxL5kL7982Tcni0ATuolOqOsOs="
                ),
                "pillow-12.3.0-cp311-cp311-macosx_10_10_x86_64.whl": (
                    "sha256-AICMXhTvY6xRYQkdJCmZB2YE/3S4g0I6EeXXu7OL91Y="
                ),
                "pillow-12.3.0-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-N9bQoABy/SlI6yK85+FHXzRWnZDIfFn3ouxZVBt396Y="
                ),
                "pillow-12.3.0-cp311-cp311-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-vLRuL5/v+NBjI5g72D7QDCAf3Ks9dJc+cHKoibOXn80="
                ),
                "pillow-12.3.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-I9J6PgMH7CJEzFHnKHuRmqaNCXUE6+Gd9OdqmKPupb0="
                ),
                "pillow-12.3.0-cp311-cp311-win_amd64.whl": (
                    "sha256-jpXhOF5JmK6WlO6qRzC6VFf/YRhbOlXi576giArvRSo="
                ),
                "pillow-12.3.0-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-ugkgn75EO0rMzr6EXYoTi4mo9Puu7dRJU0kLUxXV6WU="
                ),
                "pillow-12.3.0-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-/9DFNoSW9BsJRL6CD8t6g4qm5iPSULAazyZDk5w/mdc="
                ),
                "pillow-12.3.0-cp312-cp312-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-2cf3bAZzFU8ETp14yGVftCE/bKMag230i0D+XRh3F7k="
                ),
                "pillow-12.3.0-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-eMssaGWjWrj/i3X9Ei9gM7kqYsgoAREOSN3WyTakXZE="
                ),
                "pillow-12.3.0-cp312-cp312-win_amd64.whl": (
                    "sha256-orVd1rKkxLfYf/pWvbM/3F/bmkYhc4Yae8CX8X2Rywk="
                ),
                "pillow-12.3.0-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-enQ/9xb3RvwZqVV/YNqxYA1GEyVfinrrPN3k236xWmY="
                ),
                "pillow-12.3.0-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-1pFBUUzDC3dM7qXj7TpmNcjYqW7fZkaJuJD0CJER+zU="
                ),
                "pillow-12.3.0-cp313-cp313-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-90Aa69f1gdf4OkOdh9R0mZMX7gmSGOWtJdElKQmQumU="
                ),
                "pillow-12.3.0-cp313-cp313-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-CEenY6/vtpW8kS18Ex5+BjLU7cHYaY9Y3avsjka4ttM="
                ),
                "pillow-12.3.0-cp313-cp313-win_amd64.whl": (
                    "sha256-HMpgbNJXON9O2HPVrUa72z2DtcvKKR9rT/E6Tfawu+g="
                ),
                "pillow-12.3.0-cp314-cp314-macosx_10_15_x86_64.whl": (
                    "sha256-ulTP6+hpIKVZp8TWuQUHkcIFE2UKGVLr4zaMfccDBvg="
                ),
                "pillow-12.3.0-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-4VjLADUNwnjzuRVREBqn0SQVpm6/LJHY1awU5W3dOtA="
                ),
                "pillow-12.3.0-cp314-cp314-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-6a6wTWrvE53iZbKWg+EZtjggj4jPc83RZYqgciEWUyE="
                ),
                "pillow-12.3.0-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-JRv5W2cBfiexPYL1syYjTKYtcPnPTCuQMt4jWKOxLHs="
                ),
                "pillow-12.3.0-cp314-cp314-win_amd64.whl": (
                    "sha256-/a/JzOQCd+D3oP6rzg7lDdL6GADzs4AV5RKWtegUBI0="
                ),
            },
        ),
    )
