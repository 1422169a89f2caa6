"""A client for Python package indexes: the simple API of PEP 691 (JSON) and PEP 503 (HTML).

A recipe names a project and a version; this package turns that into the one file to fetch and
the sha256 the index publishes for it, so the download becomes a fixed-output input whose hash
is known before it is fetched. It reads the same indexes pip would (:mod:`.config`), fetches
over ``http(s)://`` or from ``file://`` folders (:mod:`.transport`), reads the pages
(:mod:`.simple`) and chooses the file (:mod:`.client`).

Example::

    index = Index(["file:///srv/simple"])
    sdist = index.find("attrs", "23.1.0")  # the sdist of that version
    index.download(sdist, Path("attrs-23.1.0.tar.gz"))  # checked against its sha256
"""

from .client import Index
from .config import IndexSettings, index_settings, index_urls
from .errors import (
    IndexConfigError,
    IndexDisabled,
    IndexUnavailable,
    InvalidIndexPage,
    NoMatchingFile,
    PackageIndexError,
    ProjectNotFound,
    VersionNotFound,
)
from .simple import DistFile, Kind
from .transport import download

__all__ = [
    "DistFile",
    "Index",
    "IndexConfigError",
    "IndexDisabled",
    "IndexSettings",
    "IndexUnavailable",
    "InvalidIndexPage",
    "Kind",
    "NoMatchingFile",
    "PackageIndexError",
    "ProjectNotFound",
    "VersionNotFound",
    "download",
    "index_settings",
    "index_urls",
]
