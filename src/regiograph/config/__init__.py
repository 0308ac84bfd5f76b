"""Settings: declared once, read from a TOML file and ``REGIOGRAPH_*`` environment variables.

Every setting is a row of ``SETTINGS`` with a type, a default and help text;
``docs/configuration.md`` is generated from that table (``regiograph config --markdown``)
and a test fails when the two drift apart. Precedence: defaults < file < environment.
Unknown keys and values of the wrong type fail at start-up, naming the key.

The declarations are :mod:`.settings`, reading them :mod:`.reading`, the Markdown reference
:mod:`.reference`; this package gives their names in one place.

This package may not read anything at import time, nor import anything of the platform but
``namespaces``.
"""

from regiograph.config.reading import (
    DEFAULT_FILE,
    OPEN_TABLES,
    Config,
    ConfigError,
    load,
)
from regiograph.config.reference import markdown_reference
from regiograph.config.settings import ENV_PREFIX, SETTINGS, Setting

__all__ = [
    "DEFAULT_FILE",
    "ENV_PREFIX",
    "OPEN_TABLES",
    "SETTINGS",
    "Config",
    "ConfigError",
    "Setting",
    "load",
    "markdown_reference",
]
