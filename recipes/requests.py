"""requests, HTTP for humans; from its sdist (setuptools).

The ``socks`` and ``use_chardet_on_py3`` extras are left out: there are no recipes for PySocks
and chardet.

Its test suite runs in the check phase, with pytest-mock, but for the tests that talk to
pytest-httpbin's server (httpbin and its own dependencies are not in the set).
"""


def recipe(
    build_python_package,
    fetch_pypi,
    setuptools,
    certifi,
    charset_normalizer,
    idna,
    urllib3,
    pytest,
    pytest_mock,
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
        check_inputs=[pytest, pytest_mock],
        disabled_tests=dict.fromkeys(
            [
                "TestRequests",
                "TestTimeout",
                "test_use_proxy_from_environment",
                "test_requests_are_updated_each_time",
                "test_urllib3_retries",
                "test_urllib3_pool_connection_closed",
                "test_redirecting_to_bad_url",
                "test_post_json_nan",
                "test_json_decode_compatibility",
                "test_json_decode_persists_doc_attr",
                "test_content_length_for_bytes_data",
                "test_content_length_for_string_data_counts_bytes",
            ],
            "uses pytest-httpbin's server (httpbin, flasgger, brotlicffi: not in the set)",
        ),
    )
