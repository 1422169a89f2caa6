"""SciPy 1.15, the last release for CPython 3.10; from its binary wheel.

SciPy 1.16 dropped Python 3.10, so on 3.10 the set's ``scipy`` is this one (see scipy.py). It
asks for ``numpy>=1.23.5,<2.5``, which the set's NumPy meets on every interpreter (2.2 on
3.10). It has wheels for CPython 3.10 to 3.13 (none for 3.14, where it is unsupported).
"""


def recipe(build_python_package, fetch_pypi, numpy):
    version = "1.15.3"
    return build_python_package(
        pname="scipy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "scipy",
            version,
            kind="wheel",
            hashes={
                "scipy-1.15.3-cp310-cp310-macosx_10_13_x86_64.whl": (
                    "sha256-o0WSjIbVNQYMnCsl5x6Hw5qy8i/JbpY2vXTR2/neRIw="
                ),
                "scipy-1.15.3-cp310-cp310-macosx_12_0_arm64.whl": (
                    "sha256-rTQyyw+e2HR3qNl/A7dj/R1XcJ8bvePJNpsd/1UDslM="
                ),
                "scipy-1.15.3-cp310-cp310-macosx_14_0_arm64.whl": (
                    "sha256-rvaDqa5usAcopUK3lvUqVHe3glLt7ecrgyeohqtjKT8="
                ),
                "scipy-1.15.3-cp310-cp310-macosx_14_0_x86_64.whl": (
                    "sha256-HIMuG9eN6mfVwW94ZoGyjdaVqMsfuQry4nWA09CWfpI="
                ),
                "scipy-1.15.3-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-Jjlh9ljOIWW717mfpRNRlcOhLZvvBFNFAWuLUMMVy4I="
                ),
                "scipy-1.15.3-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-niq8disIEeCaDTJYq+4tmODHA+7klGTOAGlZCEbzHUA="
                ),
                "scipy-1.15.3-cp310-cp310-win_amd64.whl": (
                    "sha256-nWHpexhqVzUPbW/XJkD56Z1aSiuPv0ue6ahB6rMn3BM="
                ),
                "scipy-1.15.3-cp311-cp311-macosx_10_13_x86_64.whl": (
                    "sha256-mTQ5ziINJeNpbRsjsjPdAQFpti9kVkiFZ+gwZU7jems="
                ),
                "scipy-1.15.3-cp311-cp311-macosx_12_0_arm64.whl": (
                    "sha256-NHFuKB8YGgI0Hd6q1YQgW9L9PCQgY700I9YawlnKfro="
                ),
                "scipy-1.15.3-cp311-cp311-macosx_14_0_arm64.whl": (
                    "sha256-OwM0gWr7i5HauFkoGxuXhpNDkqo9UnzYR+QbtvRb7mU="
                ),
                "scipy-1.15.3-cp311-cp311-macosx_14_0_x86_64.whl": (
                    "sha256-bbkHxzaOMJLiSRm14xx2mYsM4WhNUakJQ8sO0bT/1sE="
                ),
                "scipy-1.15.3-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-ch1rTvXcgsqJaMJbER4wcIPXypCRvDgWP7iSQ+heOIk="
                ),
                "scipy-1.15.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-OcucYuRxsbs3UAZuzDo/MFKzd1HHw9/Q/X5IkA7VKYI="
                ),
                "scipy-1.15.3-cp311-cp311-win_amd64.whl": (
                    "sha256-rkinhqKEEtdExi/XgWpBGO+X5b4L7paM6PCi+6es87s="
                ),
                "scipy-1.15.3-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-asYxD9v7eqZhJAi9LwcpW8vT/aANLXAheENHUf5I4Bk="
                ),
                "scipy-1.15.3-cp312-cp312-macosx_12_0_arm64.whl": (
                    "sha256-GFzT1tBcpLRKjxWVr4f5w3K7as+cgI6Zqj6aoDvZjPY="
                ),
                "scipy-1.15.3-cp312-cp312-macosx_14_0_arm64.whl": (
                    "sha256-BdxqvNEF4aKfleraRtSj8lF0PP19OujdtAiAR/JOpHc="
                ),
                "scipy-1.15.3-cp312-cp312-macosx_14_0_x86_64.whl": (
                    "sha256-Bu/LqSYyTfFpaTGlehdsgISMzWfOatAgyBBza/1Y6xw="
                ),
                "scipy-1.15.3-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-wFBF2Lm/2AfuG584dhmTKXsQskXwErEbE7kbqJRffkU="
                ),
                "scipy-1.15.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-Jx43E+ZFFJ6l6j6XtX/athzmEzP5fPrjksKLp4b5u0k="
                ),
                "scipy-1.15.3-cp312-cp312-win_amd64.whl": (
                    "sha256-UgkrwEcs/RffSf8X5wYkNF7+zk4aErI3g6GsWaG3KO0="
                ),
                "scipy-1.15.3-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-LGIHNrzDNHguJNFzwP27dZCgpDbS/fOTEKiQJQUAh1k="
                ),
                "scipy-1.15.3-cp313-cp313-macosx_12_0_arm64.whl": (
                    "sha256-fhEnCgAJaUCdN+05lYXuUwue9qqZ1QwBneTLAejlTmI="
                ),
                "scipy-1.15.3-cp313-cp313-macosx_14_0_arm64.whl": (
                    "sha256-jJ7TuiyKLOCYFjqb2yb4kXRtAhNpld8lInog5xw5brs="
                ),
                "scipy-1.15.3-cp313-cp313-macosx_14_0_x86_64.whl": (
                    "sha256-C92QUmTAyc+nSkdyzbIHAXF5A4GlxNMSyXM4L8bq9zA="
                ),
                "scipy-1.15.3-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-eRZ7ughcMfOGA+EaJn2GKVfLs84BjYs495rAQ7yS2CU="
                ),
                "scipy-1.15.3-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-yd6r1tVHruLJqB3ubMlsbX6amxlT90hQwXn5H9xynLc="
                ),
                "scipy-1.15.3-cp313-cp313-win_amd64.whl": (
                    "sha256-uQqynQw37Jv1VCTAZDEpMMpfS94V7oYZ7kTmkxmqsWM="
                ),
            },
        ),
        dependencies=[numpy],
    )
