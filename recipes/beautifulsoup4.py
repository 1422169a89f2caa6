"""Beautiful Soup 4, HTML and XML screen-scraping (package ``bs4``); from its sdist (hatchling).

It needs soupsieve and typing-extensions at run time. Of its extras only
``charset-normalizer`` has a recipe; html5lib, lxml, chardet and cchardet are left out.
The imports check also imports ``soupsieve``, which cannot be imported without ``bs4`` and so
is checked here rather than in its own build.

Its test suite runs in the check phase (the lxml and html5lib tests skip: not in the set).
"""


def recipe(
    build_python_package,
    fetch_pypi,
    hatchling,
    soupsieve,
    typing_extensions,
    charset_normalizer,
    pytest,
):
    version = "4.15.0"
    return build_python_package(
        pname="beautifulsoup4",
        version=version,
        src=fetch_pypi(
            "beautifulsoup4", version, hash="sha256-KI48p9VLBvKsGRlwvCdcGTnLRtRQslW/ZxiwSqN6tPc="
        ),
        build_system=[hatchling],
        dependencies=[soupsieve, typing_extensions],
        optional_dependencies={"charset-normalizer": [charset_normalizer]},
        imports_check=["bs4", "soupsieve"],
        check_inputs=[pytest],
    )
