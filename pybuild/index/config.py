"""Which indexes to read: the ones pip would, so a machine set up for pip needs no extra setup.

pip's own configuration code reads them (pip.conf files, ``PIP_CONFIG_FILE``,
``PIP_INDEX_URL``, ``PIP_EXTRA_INDEX_URL``), with pip's default index as the fallback. pip is
imported only when the configuration is read, because it costs far more to import than the
rest of the index client.
"""

from __future__ import annotations

from .errors import IndexConfigError

__all__ = ["index_urls"]


def index_urls() -> list[str]:
    """The indexes pip would use: its index-url first, then its extra-index-urls.

    Read through pip's own configuration code so that pip.conf files, ``PIP_CONFIG_FILE``,
    ``PIP_INDEX_URL`` and ``PIP_EXTRA_INDEX_URL`` (space-separated) all mean what they mean to
    pip; sections override as in ``pip install``: global, then install, then the environment.
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
    return [main, *(setting("extra-index-url") or "").split()]
