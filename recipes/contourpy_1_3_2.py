"""contourpy 1.3.2, the last release for CPython 3.10; from its binary wheel.

contourpy 1.3.3 dropped Python 3.10, so on 3.10 the set's ``contourpy`` is this one (see
contourpy.py). It needs numpy at run time. It has wheels for CPython 3.10 to 3.13 (none for
3.14, where it is unsupported).
"""


def recipe(build_python_package, fetch_pypi, numpy):
    version = "1.3.2"
    return build_python_package(
        pname="contourpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "contourpy",
            version,
            kind="wheel",
            hashes={
                "contourpy-1.3.2-cp310-cp310-macosx_10_9_x86_64.whl": (
                    "sha256-ujjj+fMwr4IMSyfOtLnH/u5f4Ek+pTqHIPR5JmdGWTQ="
                ),
                "contourpy-1.3.2-cp310-cp310-macosx_11_0_arm64.whl": (
                    "sha256-3EG6BxSqKWjR+GdOyXUEqPfjNPSO6s68qmJWITrLCYk="
                ),
                "contourpy-1.3.2-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-m+ACsxxVjR3fG5tBWxYsYDQFQUus1pMtAxxbWot1fw0="
                ),
                "contourpy-1.3.2-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-rWh6BLyALL6LnDmcBxYqPDXiJ+LazPFmjrHyeMtphjE="
                ),
                "contourpy-1.3.2-cp310-cp310-win_amd64.whl": (
                    "sha256-xEAJO7yPwhxjfAO6/L75XM2WO8bgUUrYh5MsGMoqdZo="
                ),
                "contourpy-1.3.2-cp311-cp311-macosx_10_9_x86_64.whl": (
                    "sha256-ajei+5PU3z/EwONj6k0W+DGV/AnIkbyM4HK50ISFNEU="
                ),
                "contourpy-1.3.2-cp311-cp311-macosx_11_0_arm64.whl": (
                    "sha256-t81Qw49QC7zJtqRmQ6QOCRNnP4aTFdjnDeBDiBfLd3M="
                ),
                "contourpy-1.3.2-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-1mWMzHJRpEM+69ie0mcsLtlvujZ/0lypUSqpKktGxPE="
                ),
                "contourpy-1.3.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-OFl4Ou+iuDVWl/FmQmlaW5eS56RquG2hEYpKI6UaM9c="
                ),
                "contourpy-1.3.2-cp311-cp311-win_amd64.whl": (
                    "sha256-XrrIcroJy48hMcRrhzmn/3HeKKJMhpvK1VRHfrCJqHg="
                ),
                "contourpy-1.3.2-cp312-cp312-macosx_10_13_x86_64.whl": (
                    "sha256-TK8rzSlpQCv3ftxMtgNMfdfAgDITs1I/ER63RgpRuNI="
                ),
                "contourpy-1.3.2-cp312-cp312-macosx_11_0_arm64.whl": (
                    "sha256-ghmct4J2JJeWQZ/ja3OGvY0sw/KLO8Gf4kVP4uJsTBU="
                ),
                "contourpy-1.3.2-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-EG+raXrxFFb8uj41KtUO/+STqQ+JP8psLKXAM4IM6pI="
                ),
                "contourpy-1.3.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-8ms4MUTPLSwp8BoegXD1Dazw6sAtZBOdzXCaisTrPP4="
                ),
                "contourpy-1.3.2-cp312-cp312-win_amd64.whl": (
                    "sha256-jJQqAdkWPi5c+wXLZhEBIbjQetQ4oX+edmMXvLYqv3M="
                ),
                "contourpy-1.3.2-cp313-cp313-macosx_10_13_x86_64.whl": (
                    "sha256-3jnbJgSudVMWy1lnco9L6pJoWISx52e3wk6YPvX3ccs="
                ),
                "contourpy-1.3.2-cp313-cp313-macosx_11_0_arm64.whl": (
                    "sha256-P56Jb0R8XIYY8e2yuvqaQDDyKldexBitcGEUUHILWwg="
                ),
                "contourpy-1.3.2-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl": (
                    "sha256-ceK9ShxBiPXCuNJ02nj6q4hLWd8g32PDT3SqGBPEQnw="
                ),
                "contourpy-1.3.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": (
                    "sha256-Q08K34SRHJJFGdKwj8EEkd0oKyC90/qPYP2BbqC0iEE="
                ),
                "contourpy-1.3.2-cp313-cp313-win_amd64.whl": (
                    "sha256-4VePfq/OknsWh1LtfiJkba1s2bymc8YL/1WIn6I26/k="
                ),
            },
        ),
        dependencies=[numpy],
    )
