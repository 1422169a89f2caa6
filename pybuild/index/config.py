"""Which indexes to read: the ones pip would, so a machine set up for pip needs no extra setup.

pip's own configuration code reads them (pip.conf files, ``PIP_CONFIG_FILE``,
``PIP_INDEX_URL``, ``PIP_EXTRA_INDEX_URL``), with pip's default index as the fallback. pip is
imported only when the configuration is read, because it costs far more to import than the
rest of the index client.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .errors import IndexConfigError

__all__ = ["IndexSettings", "index_settings", "index_urls"]

_TRUE = ("y", "yes", "t", "true", "on", "1")
_FALSE = ("n", "no", "f", "false", "off", "0", "")


class IndexSettings(NamedTuple):
    """What pip's configuration says of indexes: their URLs, and where ``no-index`` is set
    (``PIP_NO_INDEX`` or a pip.conf file), None when it is not: then the URLs are only where
    saved answers are kept, and none is read."""

    urls: list[str]
    no_index: str | None


def index_urls() -> list[str]:
    """The indexes pip would use: its index-url first, then its extra-index-urls."""
    return index_settings().urls


def index_settings() -> IndexSettings:
    """The indexes pip would use, and whether it would read them.

    Read through pip's own configuration code so that pip.conf files, ``PIP_CONFIG_FILE``,
    ``PIP_INDEX_URL`` and ``PIP_EXTRA_INDEX_URL`` (space-separated) all mean what they mean to
    pip; sections override as in ``pip install``: global, then install, then the environment.
    A ``no-index`` there (``PIP_NO_INDEX=1``) is kept, not dropped: the machine's owner told
    pip to read no index, and pybuild reads its index from pip's settings.
    """
    try:
        from pip._internal.configuration import Configuration
        from pip._internal.exceptions import ConfigurationError
        from pip._internal.models.index import PyPI
    except ImportError as exc:
        raise IndexConfigError(f"pip is not importable ({exc})") from None
    config = Configuration(isolated=False)
    try:
        config.load()
    except ConfigurationError as exc:
        raise IndexConfigError(str(exc)) from None
    values = dict(config.items())

    def setting(key: str) -> str | None:
        found = None
        for section in ("global", "install", ":env:"):
            found = values.get(f"{section}.{key}", found)
        return found

    main = setting("index-url") or PyPI.simple_url
    urls = [main, *(setting("extra-index-url") or "").split()]
    where = "PIP_NO_INDEX" if ":env:.no-index" in values else _file_setting(config, "no-index")
    return IndexSettings(urls, where if _flag(setting("no-index"), where) else None)


def _file_setting(config: Any, key: str) -> str:
    """The pip.conf file whose `key` pip takes: as pip reads its files (global, user, site,
    ``PIP_CONFIG_FILE``: a later one's wins) and their sections (``[install]`` over
    ``[global]``, whatever the file), with pip's own parsers of them."""
    files = [f for parsers in getattr(config, "_parsers", {}).values() for f in parsers]
    for section in ("install", "global"):
        setting = [file for file, parser in files if parser.has_option(section, key)]
        if setting:
            return str(setting[-1])
    return "a pip.conf file"


def _flag(value: str | None, where: str) -> bool:
    """pip's ``no-index`` value read as pip reads a flag (yes/true/on/1, in any case); another
    value is an :class:`IndexConfigError`, as pip refuses it too."""
    if value is None or value.lower() in _FALSE:
        return False
    if value.lower() not in _TRUE:
        error = IndexConfigError(f"no-index = {value!r} (in {where}) is not a yes or a no")
        error.hint = f"set it to yes or no in {where}, or leave it out"
        raise error
    return True
