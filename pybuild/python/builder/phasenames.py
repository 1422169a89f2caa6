"""The builder's phases and hooks, by name: one list for the builder and for recipe checks.

The builder runs the phases in this order; a recipe's ``skip_phases`` is checked against the
same list when the recipe is made (``pybuild.python.recipecheck``), so a misspelt phase is
refused at evaluation instead of being silently run. Standard library only: this module is
imported by the in-build builder as a sibling, and by pybuild as
``pybuild.python.builder.phasenames``.
"""

PHASES = (
    "unpack",
    "patch",
    "build",
    "install",
    "bytecode",
    "runtime deps check",
    "scripts check",
    "imports check",
    "check",
)

# Shell snippets run around the phases, as nixpkgs' postPatch, preBuild, postInstall, preCheck.
HOOKS = ("post_patch", "pre_build", "post_install", "pre_check")
