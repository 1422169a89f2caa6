"""rpds-py, persistent data structures in Rust (referencing needs them); from its binary wheel.

Building it needs a Rust toolchain. Its files (``pybuild update-pins``) cover CPython
3.10–3.14 on the five platforms; 0.30.0 is the last release that supports Python 3.10.
"""


def recipe(build_python_package, fetch_pypi):
    version = "0.30.0"
    return build_python_package(
        pname="rpds-py",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "rpds-py",
            version,
            kind="wheel",
            hashes={
                "rpds_py-0.30.0-cp310-cp310-macosx_10_12_x86_64.whl": (
                    "sha256-Z5rpjgDA6NaKf9oyTha5D9UmCUW0XTuCTIks7J7qMog="
                ),
                "rpds_py-0.30.0-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-TMIga3a09XaTTw7TdLENfKX0V4WLFXylIGS9/Ca5/AA="
                ),
                "rpds_py-0.30.0-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-OJotSe3tGJbD1IsBNurTfEjiIbORwFL7o/QFXDZ/YKY="
                ),
                "rpds_py-0.30.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-DA6V9oGaGZZf9CD2VXi6ywsA8lH+/iyLIzR8NxdCcfM="
                ),
                "rpds_py-0.30.0-cp310-cp310-win_amd64.whl": (
                    "sha256-FyaFnNDelp+I3IZzvdlUGFuRBOBYBr5kvNh7rb4xMWk="
                ),
                "rpds_py-0.30.0-cp311-cp311-macosx_10_12_x86_64.whl": (
                    "sha256-or/+pqTKnwGz+OVIMCRwMGaJaE5hYCqj0UHjTaBs9CU="
                ),
                "rpds_py-0.30.0-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-3E+ZLf4eK8Prx0RPbHBRtLwTzY4z5DUR6P/RO/QHAQ0="
                ),
                "rpds_py-0.30.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-Qiw8uYVtgLCdMNLrJV0HVLI+CQA04d60CD+ABL0HYeQ="
                ),
                "rpds_py-0.30.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-M/VZ8xBFBFBqRLtma5OjP10zEzdlsMIWpb8vHhUDr4k="
                ),
                "rpds_py-0.30.0-cp311-cp311-win_amd64.whl": (
                    "sha256-pRAz/3AfynVkOdZBwK0JpB2SQvppEhx9h2lgSgpimCU="
                ),
                "rpds_py-0.30.0-cp312-cp312-macosx_10_12_x86_64.whl": (
                    "sha256-oWHyDZpDAGgzzXBoN1qU0DVxTXOhcraB2IgYIGAKv60="
                ),
                "rpds_py-0.30.0-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-aryIgNnQNuyq/nCQeZafVuh2/PEH96jpkgum1aOHjQU="
                ),
                "rpds_py-0.30.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-yiiCmuX11Wm7YqeVEshCoDoSV2N11ezn0srfir6W7Cg="
                ),
                "rpds_py-0.30.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-R/I2lwvMsiMyZ9iRc9OtJwPNNqDipuktBWDTM4caPSM="
                ),
                "rpds_py-0.30.0-cp312-cp312-win_amd64.whl": (
                    "sha256-oJAyLKhBq9RT1DRWrDTbRuiwX9mztKwMeLzeiwiflZs="
                ),
                "rpds_py-0.30.0-cp313-cp313-macosx_10_12_x86_64.whl": (
                    "sha256-+DQk1zggTZdwgw01KQ/zJz+7ArQfkZhwR5+rFLnTA7I="
                ),
                "rpds_py-0.30.0-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-51Ns2RNTxSc0NLTgA8vaiQNNZ+dxDquHYf2RjsbGnPg="
                ),
                "rpds_py-0.30.0-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-J3HGwVlzNH9Q/s5B/ER8BUt6wq4FAjiM47ZzjNNm49Q="
                ),
                "rpds_py-0.30.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-kCfaHOEHEExQyBODyudz71wk0pbdEcmeJinb15Z6IMY="
                ),
                "rpds_py-0.30.0-cp313-cp313-win_amd64.whl": (
                    "sha256-gG82sbYF4tanJxbzIfIANrlInSnFHJH03Smj46+3OxU="
                ),
                "rpds_py-0.30.0-cp314-cp314-macosx_10_12_x86_64.whl": (
                    "sha256-aPGch5Qgqgj2EgOAFCP2zVrF8KxKyCojaKn81qmgdeA="
                ),
                "rpds_py-0.30.0-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-7HxEkMZywaA4nTGbOpz80Jjc3EeDmRVTwzKhWs9ySb4="
                ),
                "rpds_py-0.30.0-cp314-cp314-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-8lHIEjV6P+0wjWhKUHnd+52TOGD8beifK3qwDaSB5l8="
                ),
                "rpds_py-0.30.0-cp314-cp314-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-R+d9yYItOtYWw9V1nqVjGnXlgJ1aKHB3RO9516G8/K0="
                ),
                "rpds_py-0.30.0-cp314-cp314-win_amd64.whl": (
                    "sha256-lfCAJEesLRC8xp9two/pX98XlANnsh0040xzeHB1iVA="
                ),
            },
        ),
    )
