"""pydantic-core, the Rust validation core of pydantic; from its binary wheel.

Building it needs Rust and maturin, so the wheel is used. pydantic pins it exactly
(``pydantic-core==2.50.5`` for pydantic 2.14.4); it needs typing-extensions at run time. The
hashes pin its wheels for CPython 3.10 to 3.14 on manylinux x86_64 and aarch64, macOS arm64 and
x86_64, Windows amd64 (`pybuild update-pins pydantic_core` rewrites them).
"""


def recipe(build_python_package, fetch_pypi, typing_extensions):
    version = "2.50.5"
    return build_python_package(
        pname="pydantic-core",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pydantic-core",
            version,
            kind="wheel",
            hashes={
                "pydantic_core-2.50.5-cp310-cp310-macosx_10_12_x86_64.whl": (
                    "sha256-MCUX+fVYngfq0C04+7RDlHohFGGzmxj0aUiyCUH6jZg="
                ),
                "pydantic_core-2.50.5-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-VeDWA4SpsUZBdJ0rpnIfgkCSSCiPBmuV1VXG3UhCc9I="
                ),
                "pydantic_core-2.50.5-cp310-cp310-manylinux2014_aarch64.manylinux_2_17_aarch64.whl": (
                    "sha256-JSzjDXm0eVTMOkn4oNgSrCSjVmJzkfzskKaHM8dVcH4="
                ),
                "pydantic_core-2.50.5-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-ksDrq2BvmCcwqqp0GjDNXg9o3HwAWluqmzMvwYIjLGE="
                ),
                "pydantic_core-2.50.5-cp310-cp310-win_amd64.whl": (
                    "sha256-t+ana3dRPNYzoIrd/ahAliOtiEpNke42ZPsFzwlLLDU="
                ),
                "pydantic_core-2.50.5-cp311-cp311-macosx_10_12_x86_64.whl": (
                    "sha256-vMgw5PSEmf0wqHDwfDB1InOuLdzM401l1RyfyIDDgKs="
                ),
                "pydantic_core-2.50.5-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-QNXaiaYy5sbJOPk/31TFNIgtJYqA9RzP4WUM3twS6Cw="
                ),
                "pydantic_core-2.50.5-cp311-cp311-manylinux2014_aarch64.manylinux_2_17_aarch64.whl": (
                    "sha256-uis0UpmEqOPLG8YqdodhdyJpWiy05XlY3jKg66EooHo="
                ),
                "pydantic_core-2.50.5-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-SIMZB27JKQi5H8YmXOdh8deHSPafhVGFZP0WvzM+G3A="
                ),
                "pydantic_core-2.50.5-cp311-cp311-win_amd64.whl": (
                    "sha256-1OvzSbG2AEnoDfXZ6mclsbfkNKfQBkdLD2ZPpyprPHU="
                ),
                "pydantic_core-2.50.5-cp312-cp312-macosx_10_12_x86_64.whl": (
                    "sha256-JNI96WGV/5Y35ZQKf73jvqajVbJvtfSRc33YA6pdWpM="
                ),
                "pydantic_core-2.50.5-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-qbzyNiiGDVqQys3BiO47fQVHo465hSFPA+cAKmyg5Vg="
                ),
                "pydantic_core-2.50.5-cp312-cp312-manylinux2014_aarch64.manylinux_2_17_aarch64.whl": (
                    "sha256-B6YtRFFdZ011DP2Gt84d2TERvocPN418J7N663jQy0o="
                ),
                "pydantic_core-2.50.5-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-Rwu8JJU2f2DTyoSagDnkwWRwHRBjfndD9EJ9kmUb220="
                ),
                "pydantic_core-2.50.5-cp312-cp312-win_amd64.whl": (
                    "sha256-uqEHkC+OOAEaX3mDbZBetr+qwdSwvQn8hlCbcR0LCcg="
                ),
                "pydantic_core-2.50.5-cp313-cp313-macosx_10_12_x86_64.whl": (
                    "sha256-5dXXepRG9EaIpe9CDZLJ+srAhl71VlIV21S+GEq3kG8="
                ),
                "pydantic_core-2.50.5-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-Y5pRkxhpwFlNhyOy9SnFR9saoz3JVx0AHcIF2JYXDAg="
                ),
                "pydantic_core-2.50.5-cp313-cp313-manylinux2014_aarch64.manylinux_2_17_aarch64.whl": (
                    "sha256-i74oLnnccbJLp74oTqzyfI3f+PJpEeIDCg3RI8au0yY="
                ),
                "pydantic_core-2.50.5-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-y/3jrRJ3hvHeoabNiaXrgkoWID8kdDrStOB1BvQ7yEQ="
                ),
                "pydantic_core-2.50.5-cp313-cp313-win_amd64.whl": (
                    "sha256-00wNTdSjGPK+eIpgqXLDoe1doBVafAbW3YENxdYK1wQ="
                ),
                "pydantic_core-2.50.5-cp314-cp314-macosx_10_12_x86_64.whl": (
                    "sha256-AFmK5oDG5KF82gGRDknA2ozhVhBQXmxXzsPxXYPa74g="
                ),
                "pydantic_core-2.50.5-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-6P5Raks7BuT/g7mt7kp4bSimF+X7X+kL2kn7b1KlrBk="
                ),
                "pydantic_core-2.50.5-cp314-cp314-manylinux2014_aarch64.manylinux_2_17_aarch64.whl": (
                    "sha256-J7wi3I1QM1vGIpYmGn3EwlchSZELp8J07w+UW1vg1XA="
                ),
                "pydantic_core-2.50.5-cp314-cp314-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-iLVDcFhJ0MWTQ/l8OCltv1nrezyVZb1P4e1ji6ONpe0="
                ),
                "pydantic_core-2.50.5-cp314-cp314-win_amd64.whl": (
                    "sha256-iHQkunwhRel/ExvCzHM4OoxGTXvNVuuYu9lBr7aGi5U="
                ),
            },
        ),
        dependencies=[typing_extensions],
    )
