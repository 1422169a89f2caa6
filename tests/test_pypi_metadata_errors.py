"""Releases whose metadata cannot be used, and what the errors say of them."""

from __future__ import annotations

from pybuild.generate import MetadataError
from pybuild.generate.errors import DependencyMetadataError


def test_the_causes_hint_and_the_resolvers_ways_read_as_one_list_of_alternatives() -> None:
    """The cause's ways were joined to the resolver's with a bare '; ', as if the first of
    them were a fact about the cause: all are alternatives, each after '; or '."""
    cause = MetadataError("needy 1.0: its build tool has no wheel here")
    cause.hint = "pass --python 3.99; or add a recipe for the tool"
    error = DependencyMetadataError(
        cause, "needy 1.0", ["needyuser 1.0"], ["take an older needyuser", "give needy a recipe"]
    )
    assert error.hint == (
        "pass --python 3.99; or add a recipe for the tool; or take an older needyuser; or give"
        " needy a recipe"
    )
