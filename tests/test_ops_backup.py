"""Backup and restore of the embedded store, end to end through the CLI, with real
Oxigraph servers: the round trip keeps every graph's triples, and a damaged backup, a
running platform or a full disk change nothing."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BASE_IRI, make_config
from regiograph.cli import main
from regiograph.ops.checksum import graph_fingerprint
from regiograph.runtime import open_store

GRAPH_A = BASE_IRI + "graph/a"
GRAPH_B = BASE_IRI + "graph/b"
GRAPH_C = BASE_IRI + "graph/c"
DATA_A = (
    '<http://example.org/s> <http://example.org/p> "Mannheim"@de .\n'
    "<http://example.org/s> <http://example.org/q> _:n1 .\n"
    '_:n1 <http://example.org/r> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    '_:n1 <http://example.org/r> "Zeile \\"eins\\"\\nzwei \u00fc" .\n'
).encode()
DATA_B = "".join(
    f'<http://example.org/t{i}> <http://example.org/v> "{i}" .\n' for i in range(500)
).encode()


def env_for(data_dir: Path) -> dict[str, str]:
    return {"REGIOGRAPH_DATA_DIR": str(data_dir), "REGIOGRAPH_SITE_BASE_IRI": BASE_IRI}


def cli(data_dir: Path, *args: str):
    return CliRunner().invoke(main, list(args), env=env_for(data_dir))


def snapshot(store) -> dict[str, tuple[int, str]]:
    """Triple count and fingerprint of every graph except the volatile metadata graph."""
    return {
        g: graph_fingerprint(store.read_graph(g)) for g in store.graphs() if g != store.meta_graph
    }


def current_data(data_dir: Path) -> dict[str, tuple[int, str]]:
    with open_store(make_config(data_dir)) as (_, store):
        return snapshot(store)


@pytest.fixture
def backed_up(tmp_path):
    """A data directory whose data changed after a backup was taken: (data, backup, before,
    after) with the graphs' snapshots at backup time and now."""
    data_dir, target = tmp_path / "data", tmp_path / "backup"
    with open_store(make_config(data_dir)) as (_, store):
        store.replace_graph(GRAPH_A, DATA_A)
        store.replace_graph(GRAPH_B, DATA_B)
        before = snapshot(store)
        # online: the platform holds the directory, the CLI attaches to its store
        result = cli(data_dir, "backup", str(target))
        assert result.exit_code == 0, result.output
        assert "2 graphs" in result.output  # the owner keeps versions out of the data
        store.drop_graph(GRAPH_A)
        store.replace_graph(
            GRAPH_C, b"<http://example.org/x> <http://example.org/y> <http://example.org/z> .\n"
        )
        after = snapshot(store)
    return data_dir, target, before, after


def test_round_trip_keeps_counts_and_checksums_of_every_graph(backed_up):
    data_dir, target, before, after = backed_up
    assert before != after
    manifest = json.loads((target / "manifest.json").read_text())
    assert {g: e["triples"] for g, e in manifest["graphs"].items() if g in before} == {
        g: n for g, (n, _) in before.items()
    }
    assert before[GRAPH_A][0] == 4 and before[GRAPH_B][0] == 500

    result = cli(data_dir, "restore", str(target))
    assert result.exit_code == 0, result.output
    assert current_data(data_dir) == before
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith("store")) == ["store"]


def test_restore_refuses_a_truncated_backup_and_keeps_current_data(backed_up):
    data_dir, target, _, after = backed_up
    victim = next((target / "graphs").iterdir())
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])

    result = cli(data_dir, "restore", str(target))
    assert result.exit_code == 1
    assert "truncated or altered" in result.output and victim.name in result.output
    assert current_data(data_dir) == after
    assert not (data_dir / "store.restoring").exists()


def test_restore_refuses_incomplete_or_newer_backups(backed_up):
    data_dir, target, _, after = backed_up
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format"] = 99
    manifest_path.write_text(json.dumps(manifest))
    result = cli(data_dir, "restore", str(target))
    assert result.exit_code == 1 and "newer regiograph" in result.output

    manifest_path.unlink()
    result = cli(data_dir, "restore", str(target))
    assert result.exit_code == 1 and "not a complete regiograph backup" in result.output
    assert current_data(data_dir) == after


def test_restore_refused_while_the_platform_runs(backed_up):
    data_dir, target, _, after = backed_up
    with open_store(make_config(data_dir)):
        result = cli(data_dir, "restore", str(target))
    assert result.exit_code == 3 and "in use by another regiograph process" in result.output
    assert current_data(data_dir) == after


def test_backup_refuses_a_directory_that_is_not_empty(backed_up):
    data_dir, target, _, _ = backed_up
    result = cli(data_dir, "backup", str(target))
    assert result.exit_code == 1 and "not empty" in result.output


# --- full disk: a real small filesystem (tmpfs), which needs root to mount ----------------


@pytest.fixture
def small_volume(tmp_path):
    """A mount of a few MB; skipped where mounting is not allowed (not root)."""

    def mount(size: str) -> Path:
        point = tmp_path / f"volume-{size}"
        point.mkdir()
        if os.geteuid() != 0:
            pytest.skip(
                "mounting a small tmpfs needs root; docs/operations.md says how the "
                "full-volume case was tested"
            )
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    mounted: list[Path] = []
    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def big_graph(triples: int) -> bytes:
    # random text, so that gzip cannot make the backup small
    return "".join(
        f'<http://example.org/b{i}> <http://example.org/v> "{uuid.uuid4()}{uuid.uuid4()}" .\n'
        for i in range(triples)
    ).encode()


def test_restore_onto_a_full_volume_fails_clearly_and_keeps_old_data(tmp_path, small_volume):
    source_dir, target = tmp_path / "big", tmp_path / "backup"
    with open_store(make_config(source_dir)) as (_, store):
        store.replace_graph(GRAPH_B, big_graph(20000))
    assert cli(source_dir, "backup", str(target)).exit_code == 0
    data_dir = small_volume("8m")
    with open_store(make_config(data_dir)) as (_, store):
        store.replace_graph(GRAPH_A, DATA_A)
        old = snapshot(store)

    result = cli(data_dir, "restore", str(target))
    assert result.exit_code == 1
    assert "no space left" in result.output and "unchanged" in result.output
    assert current_data(data_dir) == old
    assert not (data_dir / "store.restoring").exists()


def test_backup_onto_a_full_volume_fails_clearly_and_leaves_nothing(tmp_path, small_volume):
    data_dir = tmp_path / "data"
    with open_store(make_config(data_dir)) as (_, store):
        store.replace_graph(GRAPH_B, big_graph(20000))
        target = small_volume("512k") / "backup"
        result = cli(data_dir, "backup", str(target))
    assert result.exit_code == 1 and "no space left" in result.output
    assert list(target.parent.iterdir()) == []


def test_backup_files_are_plain_gzipped_n_triples(backed_up):
    """Operators can read a backup without regiograph (docs/operations.md says so)."""
    _, target, before, _ = backed_up
    manifest = json.loads((target / "manifest.json").read_text())
    entry = manifest["graphs"][GRAPH_A]
    data = gzip.decompress((target / entry["file"]).read_bytes())
    assert graph_fingerprint(data) == before[GRAPH_A]
