"""Tests for pybuild.settings: the layering of sources, name spelling, parsing and errors.

Every test passes its own environment (pointing HOME and XDG_CONFIG_HOME into tmp_path), so the
real user's config file and PYBUILD_* variables never leak in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.errors import SettingsError
from pybuild.settings import (
    NOT_SETTINGS,
    SETTINGS,
    Settings,
    Value,
    config_file,
    format_settings,
    load_settings,
)

DEFAULTS = {
    "auto_optimise": False,
    "build_dir": "",
    "build_timeout": 0,
    "builders": "",
    "build_users": True,
    "connect_timeout": 5,
    "cores": 0,
    "download_deadline": 3600,
    "download_min_speed": 1024,
    "jobs": 1,
    "keep_failed": False,
    "link_cache": "auto",
    "log_lines": 25,
    "prefer": "any",
    "remote_pybuild": "pybuild",
    "require_sigs": True,
    "sandbox": "relaxed",
    "ssh_options": [],
    "eval_cache": True,
    "stalled_download_timeout": 60,
    "substituters": [],
    "trusted_public_keys": [],
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose config directory is empty and private to the test."""
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def write_config(env: dict[str, str], text: str) -> Path:
    path = Path(env["XDG_CONFIG_HOME"], "pybuild", "config.toml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def effective(settings: Settings) -> dict[str, tuple[object, str]]:
    return {v.name: (v.value, v.source) for v in settings.values()}


# --- the declaration table -------------------------------------------------------------------


def test_table_declares_the_initial_settings_with_their_defaults() -> None:
    assert {name: s.default for name, s in SETTINGS.items()} == DEFAULTS


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_declaration_is_canonical_and_its_default_fits(name: str) -> None:
    setting = SETTINGS[name]
    assert setting.name == name
    assert name == name.lower() and "-" not in name
    assert setting.doc and "\n" not in setting.doc
    # A default of the wrong type would only be noticed by whatever reads it.
    assert Settings().with_overrides(**{name: setting.default}).get(name) == setting.default


# --- defaults and layering -------------------------------------------------------------------


def test_defaults_when_there_is_no_file_environment_or_option(env: dict[str, str]) -> None:
    settings = load_settings(environ=env)
    assert effective(settings) == {name: (value, "default") for name, value in DEFAULTS.items()}
    assert settings.jobs == 1
    assert settings.keep_failed is False


def test_settings_without_arguments_are_the_defaults() -> None:
    assert effective(Settings()) == {name: (value, "default") for name, value in DEFAULTS.items()}


def test_default_lists_are_not_shared_with_the_table() -> None:
    Settings().substituters.append("https://cache.example")
    assert SETTINGS["substituters"].default == []
    assert Settings().substituters == []


def test_file_overrides_default(env: dict[str, str]) -> None:
    path = write_config(env, "jobs = 4\nkeep_failed = true\n")
    values = effective(load_settings(environ=env))
    assert values["jobs"] == (4, str(path))
    assert values["keep_failed"] == (True, str(path))
    assert values["log_lines"] == (25, "default")


def test_env_overrides_file(env: dict[str, str]) -> None:
    path = write_config(env, "jobs = 4\nlog_lines = 10\n")
    values = effective(load_settings(environ={**env, "PYBUILD_JOBS": "6"}))
    assert values["jobs"] == (6, "env PYBUILD_JOBS")
    assert values["log_lines"] == (10, str(path))


def test_option_overrides_env(env: dict[str, str]) -> None:
    write_config(env, "jobs = 4\n")
    settings = load_settings([("jobs", "8")], environ={**env, "PYBUILD_JOBS": "6"})
    assert effective(settings)["jobs"] == (8, "--option")


def test_later_option_wins(env: dict[str, str]) -> None:
    settings = load_settings([("jobs", "2"), ("jobs", "3")], environ=env)
    assert settings.jobs == 3


def test_each_source_sets_its_own_settings(env: dict[str, str]) -> None:
    path = write_config(env, "log_lines = 5\njobs = 2\n")
    settings = load_settings(
        [("build_timeout", "60")], environ={**env, "PYBUILD_KEEP_FAILED": "yes"}
    )
    values = effective(settings)
    assert values["log_lines"] == (5, str(path))
    assert values["jobs"] == (2, str(path))
    assert values["keep_failed"] == (True, "env PYBUILD_KEEP_FAILED")
    assert values["build_timeout"] == (60, "--option")
    assert values["auto_optimise"] == (False, "default")


def test_environ_defaults_to_os_environ(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in list(os.environ):
        if var.startswith("PYBUILD_"):
            monkeypatch.delenv(var)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    path = write_config(env, "log_lines = 7\n")
    monkeypatch.setenv("PYBUILD_JOBS", "5")
    values = effective(load_settings())
    assert values["log_lines"] == (7, str(path))
    assert values["jobs"] == (5, "env PYBUILD_JOBS")


# --- where the file is -----------------------------------------------------------------------


def test_config_file_is_under_xdg_config_home(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": "/elsewhere"}
    assert config_file(environ) == tmp_path / "pybuild" / "config.toml"


def test_config_file_defaults_to_dot_config_in_home(tmp_path: Path) -> None:
    assert config_file({"HOME": str(tmp_path)}) == tmp_path / ".config/pybuild/config.toml"


def test_relative_xdg_config_home_is_ignored(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/dir"}
    assert config_file(environ) == tmp_path / ".config/pybuild/config.toml"


def test_pybuild_config_names_another_file(env: dict[str, str], tmp_path: Path) -> None:
    write_config(env, "jobs = 2\n")
    other = tmp_path / "other.toml"
    other.write_text("jobs = 3\n")
    environ = {**env, "PYBUILD_CONFIG": str(other)}
    assert config_file(environ) == other
    assert effective(load_settings(environ=environ))["jobs"] == (3, str(other))


def test_config_file_reads_os_environ_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYBUILD_CONFIG", str(tmp_path / "x.toml"))
    assert config_file() == tmp_path / "x.toml"


def test_missing_file_named_by_pybuild_config_is_an_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(SettingsError, match="does not exist") as info:
        load_settings(environ={**env, "PYBUILD_CONFIG": str(missing)})
    assert str(missing) in str(info.value)
    assert "PYBUILD_CONFIG" in info.value.hint


def test_unreadable_config_path_is_an_error(env: dict[str, str]) -> None:
    path = Path(env["XDG_CONFIG_HOME"], "pybuild", "config.toml")
    path.mkdir(parents=True)  # a directory where the file should be
    with pytest.raises(SettingsError, match="cannot read config file") as info:
        load_settings(environ=env)
    assert str(path) in str(info.value)


# --- names -----------------------------------------------------------------------------------


def test_hyphen_and_underscore_name_the_same_setting(env: dict[str, str]) -> None:
    path = write_config(env, "log-lines = 9\n")
    settings = load_settings(
        [("keep-failed", "true"), ("build_timeout", "30")],
        environ={**env, "PYBUILD_TRUSTED_PUBLIC_KEYS": "k1"},
    )
    values = effective(settings)
    assert values["log_lines"] == (9, str(path))
    assert values["keep_failed"] == (True, "--option")
    assert values["build_timeout"] == (30, "--option")
    assert values["trusted_public_keys"] == (["k1"], "env PYBUILD_TRUSTED_PUBLIC_KEYS")
    assert settings.get("keep-failed") is True
    assert settings.get("keep_failed") is True
    assert settings.get("log-lines") == settings.log_lines == 9


def test_both_spellings_in_one_file_is_an_error(env: dict[str, str]) -> None:
    write_config(env, "keep-failed = true\nkeep_failed = false\n")
    with pytest.raises(SettingsError, match="set twice") as info:
        load_settings(environ=env)
    assert "'keep-failed'" in str(info.value) and "'keep_failed'" in str(info.value)


def test_unknown_name_in_file_suggests_close_name(env: dict[str, str]) -> None:
    path = write_config(env, "job = 4\n")
    with pytest.raises(SettingsError) as info:
        load_settings(environ=env)
    message = str(info.value)
    assert "unknown setting 'job'" in message
    assert str(path) in message
    assert "did you mean 'jobs'?" in message
    assert "jobs" in info.value.hint and "keep_failed" in info.value.hint


def test_unknown_table_in_file_is_an_error(env: dict[str, str]) -> None:
    write_config(env, "[jobs-table]\nx = 1\n")
    with pytest.raises(SettingsError, match="unknown setting 'jobs-table'"):
        load_settings(environ=env)


def test_unknown_env_var_suggests_close_variable(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={**env, "PYBUILD_JOB": "4"})
    message = str(info.value)
    assert "unknown setting 'job' from env PYBUILD_JOB" in message
    assert "did you mean PYBUILD_JOBS?" in message
    assert "PYBUILD_HOME" in info.value.hint and "PYBUILD_CONFIG" in info.value.hint


def test_unknown_option_suggests_close_name(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings([("keep-faild", "true")], environ=env)
    message = str(info.value)
    assert "unknown setting 'keep-faild' from --option" in message
    assert "did you mean 'keep_failed'?" in message


def test_unknown_name_far_from_all_settings_has_no_suggestion(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings([("zzzzzz", "1")], environ=env)
    assert "did you mean" not in str(info.value)


def test_non_setting_pybuild_variables_and_others_are_ignored(
    env: dict[str, str], tmp_path: Path
) -> None:
    other = tmp_path / "c.toml"
    other.write_text("")
    environ = {
        **env,
        "PYBUILD_HOME": str(tmp_path / "store"),
        "PYBUILD_CONFIG": str(other),
        "PATH": "/usr/bin",
        "JOBS": "9",
    }
    assert effective(load_settings(environ=environ))["jobs"] == (1, "default")


def test_get_unknown_name_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="unknown setting 'job'; did you mean 'jobs'"):
        Settings().get("job")


def test_unknown_attribute_is_an_attribute_error_with_suggestion() -> None:
    settings = Settings()
    with pytest.raises(AttributeError, match="did you mean 'jobs'"):
        _ = settings.job
    assert not hasattr(settings, "job")
    assert getattr(settings, "_private", None) is None


def test_settings_cannot_be_assigned() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.jobs = 3  # type: ignore[misc]
    assert settings.jobs == 1


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", ["a"]),
        ("a b", ["a", "b"]),
        (
            "  https://a.example\thttps://b.example\n c  ",
            ["https://a.example", "https://b.example", "c"],
        ),
        ("", []),
    ],
)
def test_list_from_string_is_whitespace_separated(
    env: dict[str, str], text: str, expected: list[str]
) -> None:
    from_env = load_settings(environ={**env, "PYBUILD_SUBSTITUTERS": text})
    from_option = load_settings([("substituters", text)], environ=env)
    assert from_env.substituters == expected
    assert from_option.substituters == expected


def test_list_from_string_is_split_as_a_shell_does(env: dict[str, str]) -> None:
    # As Nix splits NIX_SSHOPTS: a quoted option value with spaces stays one word for ssh.
    text = "-o UserKnownHostsFile=/tmp/kh -o 'ProxyCommand=nc %h %p' -o \"A=b c\" x\\ y"
    expected = ["-o", "UserKnownHostsFile=/tmp/kh", "-o", "ProxyCommand=nc %h %p"]
    expected += ["-o", "A=b c", "x y"]
    assert load_settings([("ssh_options", text)], environ=env).ssh_options == expected
    from_env = load_settings(environ={**env, "PYBUILD_SSH_OPTIONS": text})
    assert from_env.ssh_options == expected


def test_list_values_users_write_are_read_as_before(env: dict[str, str]) -> None:
    # URLs with a query, and NAME:base64 keys (base64's '+', '/' and '='), have nothing a
    # shell would change.
    urls = "https://a.example/x?priority=10&trusted=1 file:///srv/cache?compression=zstd"
    keys = "ci-1:ab+/cd9=  cache.example.org-2:EFgh=="
    settings = load_settings(
        environ={**env, "PYBUILD_SUBSTITUTERS": urls, "PYBUILD_TRUSTED_PUBLIC_KEYS": keys}
    )
    assert settings.substituters == urls.split()
    assert settings.trusted_public_keys == keys.split()


@pytest.mark.parametrize(
    ("text", "fault"),
    [("-o 'ProxyCommand=nc %h", "a quote is not closed"), ("-o x\\", "a lone backslash")],
)
def test_list_with_unbalanced_quote_names_setting_and_source(
    env: dict[str, str], text: str, fault: str
) -> None:
    with pytest.raises(
        SettingsError, match=f"'ssh_options' from env PYBUILD_SSH_OPTIONS: .*{fault}"
    ):
        load_settings(environ={**env, "PYBUILD_SSH_OPTIONS": text})
    with pytest.raises(SettingsError, match=f"'ssh_options' from --option: .*{fault}") as info:
        load_settings([("ssh_options", text)], environ=env)
    assert "close the quote" in info.value.hint


def test_comma_separated_keys_are_told_to_be_separated_by_spaces(env: dict[str, str]) -> None:
    keys = "ci-2:AAAA,ci-1:BBBB"
    told = r"'trusted_public_keys' from {}: keys hold no comma: separate the keys with spaces, not"
    environ = {**env, "PYBUILD_TRUSTED_PUBLIC_KEYS": keys}
    with pytest.raises(SettingsError, match=told.format("env PYBUILD_TRUSTED_PUBLIC_KEYS")):
        load_settings(environ=environ)
    with pytest.raises(SettingsError, match=told.format("--option")):
        load_settings([("trusted-public-keys", keys)], environ=env)
    # Items that may hold a comma keep it: an ssh option's list of ciphers.
    options = load_settings([("ssh_options", "-c aes128-ctr,aes256-ctr")], environ=env)
    assert options.ssh_options == ["-c", "aes128-ctr,aes256-ctr"]


def test_list_from_toml_array(env: dict[str, str]) -> None:
    write_config(env, 'substituters = ["https://a.example", "https://b.example"]\n')
    assert load_settings(environ=env).substituters == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize("toml", ['"https://a.example"', "[1, 2]", '["a", 1]'])
def test_list_in_toml_must_be_array_of_strings(env: dict[str, str], toml: str) -> None:
    write_config(env, f"substituters = {toml}\n")
    with pytest.raises(SettingsError, match=r"'substituters'.*expected a list of strings"):
        load_settings(environ=env)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("1", True),
        (" yes ", True),
        ("false", False),
        ("False", False),
        ("NO", False),
        ("0", False),
    ],
)
def test_bool_from_string(env: dict[str, str], text: str, expected: bool) -> None:
    from_env = load_settings(environ={**env, "PYBUILD_AUTO_OPTIMISE": text})
    from_option = load_settings([("auto-optimise", text)], environ=env)
    assert from_env.auto_optimise is expected
    assert from_option.auto_optimise is expected


@pytest.mark.parametrize("text", ["maybe", "2", "", "on", "t"])
def test_bad_bool_from_string(env: dict[str, str], text: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings([("keep_failed", text)], environ=env)
    message = str(info.value)
    assert f"invalid value {text!r} for setting 'keep_failed' from --option" in message
    assert "true/false" in message


def test_bool_from_toml(env: dict[str, str]) -> None:
    write_config(env, "auto_optimise = true\nkeep_failed = false\n")
    settings = load_settings(environ=env)
    assert settings.auto_optimise is True
    assert settings.keep_failed is False


def test_bool_in_toml_must_be_boolean(env: dict[str, str]) -> None:
    write_config(env, 'keep_failed = "yes"\n')
    with pytest.raises(SettingsError, match=r"'keep_failed'.*expected a boolean, got str"):
        load_settings(environ=env)


def test_str_from_string_is_kept_as_given() -> None:
    # No str setting is declared yet; the parser is reached through a temporary declaration.
    from pybuild import settings as module

    setting = module.Setting("example", str, "", "an example")
    assert module._parse(setting, "  a b  ", "--option") == "  a b  "
    assert module._check(setting, "x", "argument") == "x"
    with pytest.raises(SettingsError, match="expected a string, got int"):
        module._check(setting, 1, "argument")


@pytest.mark.parametrize(
    ("name", "text"), [("sandbox", "true"), ("sandbox", "false"), ("prefer", "sdist")]
)
def test_a_choice_is_accepted_from_every_source(env: dict[str, str], name: str, text: str) -> None:
    write_config(env, f'{name} = "{text}"\n')
    assert load_settings(environ=env).get(name) == text
    assert load_settings(environ={**env, f"PYBUILD_{name.upper()}": text}).get(name) == text
    assert load_settings([(name, text)], environ=env).get(name) == text


def test_a_value_outside_the_choices_names_its_option_and_the_choices(env: dict[str, str]) -> None:
    # Refused as it is read, not in the middle of the build that first uses it.
    with pytest.raises(SettingsError) as info:
        load_settings([("sandbox", "maybe")], environ=env)
    assert str(info.value) == (
        "invalid value 'maybe' for setting 'sandbox' from --option:"
        " expected one of true, false, relaxed"
    )


def test_a_value_outside_the_choices_from_env_suggests_the_closest(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={**env, "PYBUILD_PREFER": "sdists"})
    assert str(info.value) == (
        "invalid value 'sdists' for setting 'prefer' from env PYBUILD_PREFER:"
        " expected one of any, sdist, wheel; did you mean 'sdist'?"
    )


def test_a_value_outside_the_choices_in_the_file_names_the_file(env: dict[str, str]) -> None:
    path = write_config(env, 'sandbox = "Relaxed"\n')
    with pytest.raises(SettingsError) as info:
        load_settings(environ=env)
    assert str(info.value) == (
        f"invalid value 'Relaxed' for setting 'sandbox' from {path}:"
        " expected one of true, false, relaxed; did you mean 'relaxed'?"
    )


def test_a_value_outside_the_choices_from_the_program_is_refused() -> None:
    with pytest.raises(
        SettingsError, match="'prefer' from argument: expected one of any, sdist, wheel"
    ):
        Settings().with_overrides(prefer="wheels")


def test_bad_int_from_env_names_setting_source_and_value(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={**env, "PYBUILD_JOBS": "four"})
    assert str(info.value) == (
        "invalid value 'four' for setting 'jobs' from env PYBUILD_JOBS: expected an integer"
    )


def test_bad_int_from_option_names_setting_source_and_value(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings([("log-lines", "1.5")], environ=env)
    assert str(info.value) == (
        "invalid value '1.5' for setting 'log_lines' from --option: expected an integer"
    )


@pytest.mark.parametrize(("toml", "got"), [('"4"', "str"), ("true", "bool"), ("4.0", "float")])
def test_int_in_toml_must_be_integer(env: dict[str, str], toml: str, got: str) -> None:
    path = write_config(env, f"jobs = {toml}\n")
    with pytest.raises(SettingsError) as info:
        load_settings(environ=env)
    message = str(info.value)
    assert f"for setting 'jobs' from {path}" in message
    assert f"expected an integer, got {got}" in message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("jobs", "-1"),
        ("build_timeout", "-1"),
        ("download_min_speed", "-1"),
        ("download_deadline", "-5"),
    ],
)
def test_int_below_minimum_is_rejected(env: dict[str, str], name: str, text: str) -> None:
    with pytest.raises(SettingsError, match=f"'{name}' from --option: must be at least"):
        load_settings([(name, text)], environ=env)


def test_zero_build_timeout_means_no_limit_and_is_allowed(env: dict[str, str]) -> None:
    assert load_settings([("build_timeout", "0")], environ=env).build_timeout == 0


def test_malformed_toml_names_the_file_and_the_problem(env: dict[str, str]) -> None:
    path = write_config(env, "jobs = = 4\n")
    with pytest.raises(SettingsError) as info:
        load_settings(environ=env)
    message = str(info.value)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 1" in message  # tomllib's own description of where


def test_config_file_that_is_not_utf8_is_malformed(env: dict[str, str]) -> None:
    path = write_config(env, "")
    path.write_bytes(b"jobs = 4 # \xff\n")
    with pytest.raises(SettingsError, match="not valid TOML") as info:
        load_settings(environ=env)
    assert str(path) in str(info.value)


# --- overrides by the program ----------------------------------------------------------------


def test_with_overrides_returns_new_settings_with_source_argument(env: dict[str, str]) -> None:
    base = load_settings([("jobs", "2")], environ=env)
    changed = base.with_overrides(jobs=8, substituters=("https://c.example",))
    assert effective(changed)["jobs"] == (8, "argument")
    assert effective(changed)["substituters"] == (["https://c.example"], "argument")
    assert effective(changed)["log_lines"] == (25, "default")
    assert effective(base)["jobs"] == (2, "--option")


def test_with_overrides_checks_values_and_names() -> None:
    with pytest.raises(SettingsError, match="'jobs' from argument: expected an integer"):
        Settings().with_overrides(jobs="8")
    with pytest.raises(SettingsError, match="'jobs' from argument: must be at least 0"):
        Settings().with_overrides(jobs=-1)
    with pytest.raises(SettingsError, match="unknown setting 'job'; did you mean 'jobs'"):
        Settings().with_overrides(job=8)


# --- showing settings ------------------------------------------------------------------------


def test_values_are_sorted_by_name_and_complete(env: dict[str, str]) -> None:
    values = load_settings(environ=env).values()
    assert [v.name for v in values] == sorted(DEFAULTS)
    assert all(isinstance(v, Value) for v in values)


@pytest.fixture
def mixed(env: dict[str, str]) -> tuple[Settings, Path]:
    path = write_config(env, 'substituters = ["https://a.example", "https://b.example"]\n')
    settings = load_settings([("keep-failed", "yes")], environ={**env, "PYBUILD_JOBS": "3"})
    return settings, path


def test_format_settings_text_shows_value_and_source(mixed: tuple[Settings, Path]) -> None:
    settings, path = mixed
    lines = format_settings(settings, as_json=False).splitlines()
    header = lines[0]
    assert header.split() == ["NAME", "VALUE", "SOURCE"]
    # Read the rows by the header's column offsets, which also checks that the columns line up.
    value_at, source_at = header.index("VALUE"), header.index("SOURCE")
    rows = {
        line[:value_at].strip(): (line[value_at:source_at].strip(), line[source_at:])
        for line in lines[1:]
    }
    assert list(rows) == sorted(DEFAULTS)
    assert rows["jobs"] == ("3", "env PYBUILD_JOBS")
    assert rows["keep_failed"] == ("true", "--option")
    assert rows["substituters"] == ("https://a.example https://b.example", str(path))
    assert rows["log_lines"] == ("25", "default")
    assert rows["trusted_public_keys"] == ("", "default")


def test_format_settings_text_quotes_list_words_so_they_paste_back(env: dict[str, str]) -> None:
    write_config(env, 'ssh_options = ["-o", "ProxyCommand=nc %h %p", "-o", "A=it\'s"]\n')
    settings = load_settings(environ=env)
    header, *lines = format_settings(settings, as_json=False).splitlines()
    value_at, source_at = header.index("VALUE"), header.index("SOURCE")
    row = next(line for line in lines if line.startswith("ssh_options "))
    shown = row[value_at:source_at].strip()
    assert shown == "-o 'ProxyCommand=nc %h %p' -o 'A=it'\"'\"'s'"
    pasted = load_settings(environ={**env, "PYBUILD_SSH_OPTIONS": shown})
    assert pasted.ssh_options == settings.ssh_options
    data = json.loads(format_settings(settings, as_json=True))
    assert data["ssh_options"]["value"] == ["-o", "ProxyCommand=nc %h %p", "-o", "A=it's"]


def test_format_settings_json_shows_value_and_source(mixed: tuple[Settings, Path]) -> None:
    settings, path = mixed
    data = json.loads(format_settings(settings, as_json=True))
    assert list(data) == sorted(DEFAULTS)  # an object keyed by name, as nix show-config --json
    assert data["jobs"] == {"value": 3, "source": "env PYBUILD_JOBS"}
    assert data["keep_failed"] == {"value": True, "source": "--option"}
    assert data["substituters"] == {
        "value": ["https://a.example", "https://b.example"],
        "source": str(path),
    }
    assert data["auto_optimise"] == {"value": False, "source": "default"}


# --- cost of importing -----------------------------------------------------------------------


def test_tomllib_is_imported_only_when_a_file_is_read(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pybuild.settings import load_settings\n"
        "load_settings(environ={'HOME': sys.argv[1]})\n"
        "assert 'tomllib' not in sys.modules, 'tomllib imported without a config file'\n"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=root, check=True, timeout=60)


def test_a_commands_options_do_not_outlive_it(tmp_path: Path) -> None:
    """main() --option pairs applied to every later load_settings of the process: a program
    (or a test) that ran a command and then used the library got the command's settings."""
    from pybuild.cli import main

    assert main(["config", "show", "--option", "require_sigs", "false"]) == 0
    assert load_settings(environ={"HOME": str(tmp_path)}).require_sigs is True


# --- the variables pybuild sets for its builds ------------------------------------------------


def _variables_pybuild_sets() -> set[str]:
    """Every ``PYBUILD_X`` pybuild's code writes as a string or a keyword (``PYBUILD_X=``)."""
    import re

    found: set[str] = set()
    pattern = re.compile(r"""(?<![\w$])["']?(PYBUILD_[A-Z][A-Z0-9_]*)(?:["']|=)""")
    for path in Path(__file__).parent.parent.joinpath("pybuild").rglob("*.py"):
        found.update(pattern.findall(path.read_text()))
    return found


def test_every_pybuild_variable_in_the_code_is_a_setting_or_exempt() -> None:
    """A variable pybuild gives a builder or an environment (PYBUILD_BUILD_CORES) is met by
    a pybuild run inside that build: were it taken for a misspelt setting, that run failed."""
    settings = {"PYBUILD_" + name.upper() for name in SETTINGS}
    assert {"PYBUILD_BUILD_CORES", "PYBUILD_ATTRS"} <= _variables_pybuild_sets()
    assert _variables_pybuild_sets() <= settings | NOT_SETTINGS


@pytest.mark.parametrize("var", sorted(NOT_SETTINGS - {"PYBUILD_HOME", "PYBUILD_CONFIG"}))
def test_a_pybuild_run_inside_a_build_takes_the_builds_variables(
    env: dict[str, str], var: str
) -> None:
    from pybuild.settings import use_command_line

    environ = {**env, var: "4"}
    assert load_settings(environ=environ).jobs == 1
    use_command_line([], environ)


# --- --option's errors ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["JOBS", "Jobs", "KEEP-FAILED"])
def test_an_unknown_name_in_another_case_suggests_the_setting(
    env: dict[str, str], name: str
) -> None:
    with pytest.raises(SettingsError, match=r"did you mean '(jobs|keep_failed)'"):
        load_settings([(name, "2")], environ=env)


@pytest.mark.parametrize("pair", [("jobz", "1"), ("jobs", "-1")])
def test_an_options_unknown_name_exits_as_its_bad_value_does(
    env: dict[str, str], pair: tuple[str, str]
) -> None:
    """Both are a command line that cannot be read: exit 2, as argparse's own errors."""
    from pybuild.errors import BadArgument
    from pybuild.settings import forget_command_line, use_command_line

    try:
        with pytest.raises(BadArgument, match=f"'{pair[0]}'"):
            use_command_line([pair], env)
    finally:
        forget_command_line()


@pytest.mark.parametrize("text", ["\u0663", "1_0", " 7 ", "7\n", "\uff17"])
def test_an_integer_is_ascii_digits_alone(env: dict[str, str], text: str) -> None:
    """Python's int() takes other scripts' digits, underscores and spaces; a setting does not."""
    with pytest.raises(SettingsError, match="'jobs' from --option: expected an integer"):
        load_settings([("jobs", text)], environ=env)


@pytest.mark.parametrize(("text", "value"), [("+3", 3), ("12", 12), ("0", 0)])
def test_an_integer_may_have_a_sign(env: dict[str, str], text: str, value: int) -> None:
    assert load_settings([("jobs", text)], environ=env).jobs == value


# --- choices: sandbox's TOML booleans, and any case ----------------------------------------


@pytest.mark.parametrize(("toml", "value"), [("true", "true"), ("false", "false")])
def test_sandbox_takes_a_toml_boolean_as_nix_conf_users_write_it(
    env: dict[str, str], toml: str, value: str
) -> None:
    write_config(env, f"sandbox = {toml}\n")
    assert load_settings(environ=env).sandbox == value


def test_a_boolean_is_still_refused_by_a_choice_without_true_and_false(
    env: dict[str, str],
) -> None:
    write_config(env, "prefer = true\n")
    with pytest.raises(SettingsError, match=r"'prefer'.*expected a string, got bool"):
        load_settings(environ=env)


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("sandbox", "True", "true"),
        ("prefer", "WHEEL", "wheel"),
        ("sandbox", " Relaxed ", "relaxed"),
    ],
)
def test_a_choice_is_read_in_any_case_as_a_boolean_is(
    env: dict[str, str], name: str, text: str, value: str
) -> None:
    """From the environment and --option, as a boolean's YES; the file's TOML string must be
    the choice itself, as its booleans must be TOML's (test_a_value_outside_the_choices_in_…)."""
    assert load_settings(environ={**env, f"PYBUILD_{name.upper()}": text}).get(name) == value
    assert load_settings([(name, text)], environ=env).get(name) == value


# --- durations have a largest value -------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["build_timeout", "connect_timeout", "stalled_download_timeout", "download_deadline"]
)
def test_a_duration_too_large_for_a_timer_is_refused_as_it_is_read(
    env: dict[str, str], name: str
) -> None:
    """9300000000 s was taken, then failed the build as 'timestamp too large' (a bug?)."""
    largest = 2**31 - 1
    assert load_settings([(name, str(largest))], environ=env).get(name) == largest
    message = f"'{name}' from --option: must be at most {largest}"
    with pytest.raises(SettingsError, match=message):
        load_settings([(name, "9300000000")], environ=env)
    path = write_config(env, f"{name} = 9300000000\n")
    with pytest.raises(SettingsError, match=f"'{name}' from {path}: must be at most"):
        load_settings(environ=env)


def test_build_options_refuse_a_duration_too_large() -> None:
    from pybuild.buildoptions import BuildOptions
    from pybuild.errors import PybuildError

    with pytest.raises(PybuildError, match="build_timeout"):
        BuildOptions(build_timeout=9300000000)


# --- build_dir is a folder named from / or ~ ---------------------------------------------------


def test_build_dir_expands_a_tilde_as_link_cache_does(env: dict[str, str]) -> None:
    """'~/x' was a folder named ~ in the working folder."""
    expected = os.path.expanduser("~/builds")
    assert load_settings([("build_dir", "~/builds")], environ=env).build_dir == expected
    path = write_config(env, 'build_dir = "~/b"\n')
    settings = load_settings(environ=env)
    assert (settings.build_dir, settings.source("build_dir")) == (
        os.path.expanduser("~/b"),
        str(path),
    )


@pytest.mark.parametrize("text", ["builds", "./b", "~nosuchuser-pybuild/b"])
def test_a_relative_build_dir_is_refused_naming_its_source(env: dict[str, str], text: str) -> None:
    """Relative to the working folder, config.toml's build folder moved with each run."""
    with pytest.raises(SettingsError, match=r"'build_dir' from env PYBUILD_BUILD_DIR: .*relative"):
        load_settings(environ={**env, "PYBUILD_BUILD_DIR": text})
    path = write_config(env, f'build_dir = "{text}"\n')
    with pytest.raises(SettingsError, match=f"'build_dir' from {path}: .*relative"):
        load_settings(environ=env)


def test_an_empty_or_absolute_build_dir_is_taken(env: dict[str, str], tmp_path: Path) -> None:
    assert load_settings([("build_dir", "")], environ=env).build_dir == ""
    assert load_settings([("build_dir", str(tmp_path))], environ=env).build_dir == str(tmp_path)


@pytest.mark.parametrize("under", ["", "sub/deeper"])
def test_a_build_dir_that_is_a_file_is_refused_naming_its_source(
    env: dict[str, str], tmp_path: Path, under: str
) -> None:
    """It failed the build as FileExistsError, 'a bug in pybuild?'."""
    afile = tmp_path / "afile"
    afile.write_text("")
    given = str(afile / under) if under else str(afile)
    with pytest.raises(SettingsError, match=f"'build_dir' from --option: {afile} is not a folder"):
        load_settings([("build_dir", given)], environ=env)
