"""The ``regiograph`` command line: the command group and where each command lives.

Exit codes: 0 success · 1 the operation failed (bad query, bad file, rejected data) ·
2 usage or configuration error · 3 the store is unavailable or its directory is locked
(:mod:`.common`, which every command uses through ``@fails_cleanly``).

Commands by what they are for: :mod:`.data` (load, query, export, validate), :mod:`.serving`
(serve, demo), :mod:`.harvests` (harvest, sources, schedule), :mod:`.operations` (config,
backup, restore, warm).

This package may not hold logic of its own beyond reading arguments and printing: a command
calls the modules that do the work.
"""

from __future__ import annotations

import click

from regiograph import __version__
from regiograph.cli import data, harvests, operations, serving


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="TOML configuration file (default: ./regiograph.toml if present).",
)
@click.version_option(__version__, prog_name="regiograph")
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """regiograph: linked open data for smart regions."""
    ctx.obj = {"config_file": config_file}


for command in (
    data.load,
    data.query,
    data.export,
    data.validate,
    serving.serve,
    serving.demo,
    harvests.harvest,
    harvests.list_sources,
    harvests.schedule,
    operations.config,
    operations.backup,
    operations.restore,
    operations.warm,
):
    main.add_command(command)
