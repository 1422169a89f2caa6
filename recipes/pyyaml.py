"""PyYAML, the YAML parser and emitter; from its binary wheel.

The wheel's libyaml binding (``yaml._yaml``) is compiled against a libyaml of its own, so the
package needs no libyaml of the system's. Its sdist builds with the set's tools
(``build_system=[setuptools, wheel, cython]``), but the binding it compiles links the system's
libyaml when its headers are installed (an input of no store path's hash), and is left out,
for pure Python, when they are not: the same recipe would build another package on another
machine. The hashes pin its wheels for CPython 3.10 to 3.14 on manylinux x86_64 and aarch64,
macOS arm64 and x86_64, Windows amd64 (`pybuild update-pins pyyaml` rewrites them).
"""


def recipe(build_python_package, fetch_pypi):
    version = "6.0.4"
    return build_python_package(
        pname="pyyaml",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pyyaml",
            version,
            kind="wheel",
            hashes={
                "pyyaml-6.0.4-cp310-cp310-macosx_10_15_x86_64.whl": (
                    "sha256-eL5aGwWl0f1G0CkDk+Xe61gfphdYVGLBuE98awyx5Ik="
                ),
                "pyyaml-6.0.4-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-45AX4c70PQOyukJ/YCE+SzbbxvsJIjX6PeOlEM4GTTw="
                ),
                "pyyaml-6.0.4-cp310-cp310-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-VMI5NM8Wa7IJDXPYKxOIqtsc6tXnOIUiPc+kpFmiLUM="
                ),
                "pyyaml-6.0.4-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-iKCJ5kJKiiVjIScGINWkMorVIn+yBhsH0z9ZaJQzaRQ="
                ),
                "pyyaml-6.0.4-cp310-cp310-win_amd64.whl": (
                    "sha256-Ukag/qqsSXsJyUYqqSYoCuAvyHkbAJnAqSXr18fySaY="
                ),
                "pyyaml-6.0.4-cp311-cp311-macosx_10_15_x86_64.whl": (
                    "sha256-GArHkslYwhc/bkRnxVrl9zqxqaYk7in8cJXFbV46QFU="
                ),
                "pyyaml-6.0.4-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-cweIN1BWxD06wVvYlMnNL7epMaOLMC9AhiDGSz7xdu0="
                ),
                "pyyaml-6.0.4-cp311-cp311-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-cbtbh0ZdiNHfxXcRWvbUNb/5sm8lEpNvYQwmqlWWYCg="
                ),
                "pyyaml-6.0.4-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-YiqodfplM/Jf7c/+IweTV9ZaaQ1GIgCv7V2OnQ4B6+4="
                ),
                "pyyaml-6.0.4-cp311-cp311-win_amd64.whl": (
                    "sha256-DbdfQC6ZwlI5ADpJnCFKYZR7TvUxKvNHEdTGPlwXkxg="
                ),
                "pyyaml-6.0.4-cp312-cp312-macosx_10_15_x86_64.whl": (
                    "sha256-EIitdA9QwTF42tFvvC+h9jTHkdQscAn9s5DjjluQt4g="
                ),
                "pyyaml-6.0.4-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-TTDC8YZhK9L58HwIpMlnIa9Zz8jaPsfLJ9+ig06LsBk="
                ),
                "pyyaml-6.0.4-cp312-cp312-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-ReN91kfbnWe3V0RMdAYMBkrOX9qgj0K/T9o4EiddQj4="
                ),
                "pyyaml-6.0.4-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-k7+yRZGVQGpRji9Iepu/Ad8kAXXzHgb1olKsZzTHu/A="
                ),
                "pyyaml-6.0.4-cp312-cp312-win_amd64.whl": (
                    "sha256-Ex0RvZtg1wWmOINm137WeFCZWk0r6F/hSXhaJXwX5TE="
                ),
                "pyyaml-6.0.4-cp313-cp313-macosx_10_15_x86_64.whl": (
                    "sha256-Ye7y8I6Xe3JfN6jRZj9aIixvCSB6wHlAMNX8oGLnyW4="
                ),
                "pyyaml-6.0.4-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-nUIR8ICSBimpDJ4xxR4yb7cM+uOPGNQSi5kTwjZCus4="
                ),
                "pyyaml-6.0.4-cp313-cp313-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-QbRmnDqP1XUOWU3/WdPmLUDjIf7EZ7UESWA3EO0KaPM="
                ),
                "pyyaml-6.0.4-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-UFiBR6ssalm1+ZCkkF24CJmmwr0ZfgRqYgHx5nWH55Q="
                ),
                "pyyaml-6.0.4-cp313-cp313-win_amd64.whl": (
                    "sha256-Cjo1HwTcEk+TV1Er24CsN80XUM8Tcdoz58u5bYCshl8="
                ),
                "pyyaml-6.0.4-cp314-cp314-macosx_10_15_x86_64.whl": (
                    "sha256-SjKUcttsiFjr2U8iFKVMi/+PA1psx68as5zBszpfDlY="
                ),
                "pyyaml-6.0.4-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-czWAmBPsg42c0zSxdEzaM96xQcnvI6nA3zccN5gNOFE="
                ),
                "pyyaml-6.0.4-cp314-cp314-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-7ZuVersS9v/NktXbMvo//U5KhCPYDd1RtO+mO0L2p2s="
                ),
                "pyyaml-6.0.4-cp314-cp314-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-xgTcJhPEFxMEec3W5VwvqmkbY2WqgrPa/d/OzC6vGsc="
                ),
                "pyyaml-6.0.4-cp314-cp314-win_amd64.whl": (
                    "sha256-HS8IwSJyfIb4MDux3UUVnKHeHy1oeY5nHsRpdOMhAI4="
                ),
            },
        ),
    )
