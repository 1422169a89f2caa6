"""The in-build builder: runs inside a build, with only the standard library and the build
tools from the store."""
