"""requests, HTTP for humans; from its sdist (setuptools).

The ``socks`` and ``use_chardet_on_py3`` extras are left out: there are no recipes for PySocks
and chardet.
"""


def recipe(
    build_python_package, fetch_pypi, setuptools, certifi, charset_normalizer, idna, urllib3
):
    version = "2.34.2"
    return build_python_package(
        pname="requests",
        version=version,
        src=fetch_pypi(
            "requests", version, hash="sha256-8oiSTK5OKUY2mNbWC8ak2mnIkYWtHgvMQQT1hOlgue0="
        ),
        build_system=[setuptools],
        dependencies=[certifi, charset_normalizer, idna, urllib3],
    )
