"""piimap: find personal information in data stores and check it against the declared data map.

The package installed as ``piimap`` is the repository's ``scanner/`` folder (orchestration, data
map, CLI); ``piimap.connectors``, ``piimap.classifiers`` and ``piimap.reports`` are the plugin
packages at the repository root.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("piimap")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["__version__"]
