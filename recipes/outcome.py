"""outcome, a function's result or exception as a value (trio needs it); from its wheel."""


def recipe(build_python_package, fetch_pypi, attrs):
    version = "1.3.0.post0"
    return build_python_package(
        pname="outcome",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "outcome",
            version,
            kind="wheel",
            hash="sha256-53HFzgbRQV41YHjTvdaFI/KEtM5UGYKJIraHHmXtqCs=",
        ),
        dependencies=[attrs],
    )
