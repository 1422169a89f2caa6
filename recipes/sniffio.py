"""sniffio, which async library is running (trio needs it); from its wheel."""


def recipe(build_python_package, fetch_pypi):
    version = "1.3.1"
    return build_python_package(
        pname="sniffio",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "sniffio",
            version,
            kind="wheel",
            hash="sha256-L22kGNHx4P3dhER49BaA55TmBRkVeRoDT/ZeXxAFJaI=",
        ),
    )
