"""Python builds: interpreter identity, build_python_package, environments."""
