"""Matplotlib 3.10, the last release line for CPython 3.10; from its binary wheel.

Matplotlib 3.11 needs Python 3.11, so on 3.10 the set's ``matplotlib`` is this one (see
matplotlib.py). Its runtime dependencies are those of 3.11 (contourpy, cycler, fonttools,
kiwisolver, numpy, packaging, pillow, pyparsing, python-dateutil), each the set's release for
the interpreter.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    contourpy,
    cycler,
    fonttools,
    kiwisolver,
    numpy,
    packaging,
    pillow,
    pyparsing,
    python_dateutil,
):
    version = "3.10.9"
    return build_python_package(
        pname="matplotlib",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "matplotlib",
            version,
            kind="wheel",
            hashes={
                "matplotlib-3.10.9-cp310-cp310-macosx_10_12_x86_64.whl": (
                    "sha256-dyENzpy4FT3/yWfvqumQVDOSVj1aN21N2FOb68sO0hc="
                ),
                "matplotlib-3.10.9-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-HnaYrJhoQo6E0slnQkgDskcv9xZ9nWWQ1CBO13U0PDs="
                ),
                "matplotlib-3.10.9-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-GqlyEWq7TJ0gG/JFYgtDNybLaFbzvvanj3dqAPXJLTc="
                ),
                "matplotlib-3.10.9-cp310-cp310-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-ri8RlXsnzlNJfdTXsjXE1PH684Pfs50MW+uDO/+IMpQ="
                ),
                "matplotlib-3.10.9-cp310-cp310-win_amd64.whl": (
                    "sha256-goNMPCktJNOoqud80tIAGd5p1pKjSpcOT9uNM+LqPdo="
                ),
                "matplotlib-3.10.9-cp311-cp311-macosx_10_12_x86_64.whl": (
                    "sha256-aM/c7eQV98j1V3sDMD3ZRSbNttEQNs7NwgXghzOy0rs="
                ),
                "matplotlib-3.10.9-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-38oBKWeL1WN52ybFK1137X3jFMBHSS+9x2OqdQFxDPs="
                ),
                "matplotlib-3.10.9-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-jkNtFV+oozmdxiaD+PXQ4uUNJdAUSnPt1z+C7sj0q/s="
                ),
                "matplotlib-3.10.9-cp311-cp311-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-VvwL0nGwACXG7f3HwtzSRzcsjhVElx1i4dx8FzZ+i/k="
                ),
                "matplotlib-3.10.9-cp311-cp311-win_amd64.whl": (
                    "sha256-1zDphO3fVpdMPnK2Epx8pGKsONxiQzj0sLI+sj7LoA8="
                ),
                "matplotlib-3.10.9-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-8MPCjZ+8wf56A74jbXNDDPZAnEH7I4OnrFL+kysHLLE="
                ),
                "matplotlib-3.10.9-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-Qcsowr12mqPpgyLGqwmFTLzFKradJ1nWgbuj4yeysyA="
                ),
                "matplotlib-3.10.9-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-riCAETA3i4LWR/9QR8BzFilbaNwFTKazwTUZ0OpiQoU="
                ),
                "matplotlib-3.10.9-cp312-cp312-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-bGPrzYtLFp6y9cIAVSrmuL6JmaAFtrUH7Xb7jX1nT+I="
                ),
                "matplotlib-3.10.9-cp312-cp312-win_amd64.whl": (
                    "sha256-0JH511izSqqqYzHRNXS/AYkdkDs97Fm//0WO91Ud5dY="
                ),
                "matplotlib-3.10.9-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-tYBEDx/4Gg40EiBRo9+rt+S3+eOAYpkpveDv+a9yFl8="
                ),
                "matplotlib-3.10.9-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-sbdFxInNGneg3BEgoF3Ievl5j668kTYB/rjHPYm/LR4="
                ),
                "matplotlib-3.10.9-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64.whl": (
                    "sha256-jzvKwcpe0ACm9DN9R7pn393zftakbBX9fwFJl/e/hl8="
                ),
                "matplotlib-3.10.9-cp313-cp313-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-eo1mpV3viRwzFHujupv8q/C1JqQ3ZMgYrLtFJeXtCDg="
                ),
                "matplotlib-3.10.9-cp313-cp313-win_amd64.whl": (
                    "sha256-9DmfZLPpTNUAGVSQlyrh7oEXDfFjb6FTZNFX1b3XuSE="
                ),
                "matplotlib-3.10.9-cp314-cp314-macosx_10_13_x86_64.whl": (
                    "sha256-Fy21LJ5oP10S6vV/D1SDQZDhJYH+HMKhlZWo9ay0530="
                ),
                "matplotlib-3.10.9-cp314-cp314-macosx_11_0_arm64.whl": (
                    "sha256-l+NejTnMyFhZCV4BpThHQyuppT3feYb3pUoRtz0OFD8="
                ),
                "matplotlib-3.10.9-cp314-cp314-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl": (
                    "sha256-q6FhXavoMYjhnU91olPGoIQj4EwUJeZAOfgABQpp3ms="
                ),
                "matplotlib-3.10.9-cp314-cp314-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl": (
                    "sha256-NM+BZ+AjrZVsFfNjApEdVAa9mamGLBqEmepvfA4BXcI="
                ),
                "matplotlib-3.10.9-cp314-cp314-win_amd64.whl": (
                    "sha256-M2uazGTTCQYxJu3NrKANuTc688R2u5Q4j+nFpTrRPm8="
                ),
            },
        ),
        dependencies=[
            contourpy,
            cycler,
            fonttools,
            kiwisolver,
            numpy,
            packaging,
            pillow,
            pyparsing,
            python_dateutil,
        ],
    )
