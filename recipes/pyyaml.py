"""PyYAML, the YAML parser and emitter; from its binary wheel.

Its sdist cannot build with the set's tools: its ``[build-system] requires`` lists Cython
unconditionally on Python below 3.13 (for the optional libyaml binding), and there is no
Cython recipe. The wheel has that binding (``yaml._yaml``) compiled against a bundled
libyaml. The hash pins the file for CPython 3.11 on manylinux x86_64
(pyyaml-6.0.4-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi):
    version = "6.0.4"
    return build_python_package(
        pname="pyyaml",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pyyaml",
            version,
            kind="wheel",
            hash="sha256-YiqodfplM/Jf7c/+IweTV9ZaaQ1GIgCv7V2OnQ4B6+4=",
        ),
    )
