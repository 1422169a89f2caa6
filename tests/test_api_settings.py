"""The library builds under the user's settings as the command line does: ``realise`` given no
options takes them from the settings (config file, ``PYBUILD_*``), through
:meth:`~pybuild.buildoptions.BuildOptions.from_settings`, the one way settings become options."""

from __future__ import annotations

import argparse
import dataclasses
import io
from pathlib import Path

import pytest

from pybuild import derivation, realise
from pybuild.buildoptions import BuildOptions
from pybuild.commands.common import build_options
from pybuild.errors import BuildError
from pybuild.settings import Settings, load_settings
from pybuild.store import Store

SLOW = derivation(name="slow", builder="/bin/sh", args=["-c", 'sleep 3; echo x > "$out"'])


def test_realise_without_options_takes_the_settings(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It built what ``PYBUILD_BUILD_TIMEOUT=1 pybuild build`` times out, as though no
    setting but the sandbox's were set."""
    monkeypatch.setenv("PYBUILD_BUILD_TIMEOUT", "1")
    with pytest.raises(BuildError, match="timed out after 1 s"):
        realise([SLOW], store)
    with pytest.raises(BuildError, match="timed out after 1 s"):
        realise([SLOW], store, BuildOptions.from_settings(log=io.StringIO()))


def test_from_settings_takes_every_setting_and_the_changes_given(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('jobs = 3\nsubstituters = ["file:///c"]\nssh_options = ["-v"]\n')
    environ = {"PYBUILD_CONFIG": str(config), "PYBUILD_BUILD_TIMEOUT": "7"}
    options = BuildOptions.from_settings(load_settings(environ=environ), keep_going=True)
    assert (options.jobs, options.build_timeout, options.keep_going) == (3, 7, True)
    assert options.substituters == ("file:///c",) and options.ssh_options == ("-v",)
    assert options.sandbox == "relaxed" and options.link_cache == "auto"


def test_from_settings_without_settings_loads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYBUILD_JOBS", "5")
    assert BuildOptions.from_settings().jobs == 5


def test_build_options_of_the_defaults_are_the_plain_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``BuildOptions()`` stays a value of its own defaults, whatever the settings say; the
    options of the default settings are the same, but for the two settings of safety that it
    leaves to the settings (None)."""
    monkeypatch.setenv("PYBUILD_JOBS", "5")
    assert BuildOptions().jobs == 1
    defaults = BuildOptions.from_settings(Settings())
    assert dataclasses.replace(defaults, sandbox=None, build_users=None) == BuildOptions()


def test_the_command_line_adds_only_its_flags_to_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYBUILD_BUILD_TIMEOUT", "9")
    settings = load_settings()
    args = argparse.Namespace(keep_going=True, quiet=True)
    cli = build_options(args, settings)
    assert cli.keep_going and cli.progress is not None
    assert dataclasses.replace(cli, keep_going=False, progress=None) == (
        BuildOptions.from_settings(settings)
    )


def test_the_build_tools_of_a_metadata_step_are_built_under_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A pypi: sdist's metadata needs its build tools built first: that build took pure
    defaults (no caches, no builders, no timeout), whatever the user had set."""
    import pybuild.realiser
    from pybuild.generate.buildsystem import prepare_metadata

    given: list[BuildOptions] = []

    def realise(drvs: object, store: object, options: BuildOptions) -> None:
        given.append(options)
        raise KeyboardInterrupt  # enough: the options are what is asked about

    monkeypatch.setattr(pybuild.realiser, "realise", realise)
    monkeypatch.setenv("PYBUILD_BUILD_TIMEOUT", "7")
    with pytest.raises(KeyboardInterrupt):
        prepare_metadata(None, tmp_path, None, "demo", [])  # type: ignore[arg-type]
    assert given[0].build_timeout == 7
