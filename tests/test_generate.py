"""bench/generate.py: a small synthetic region conforms to the shapes, deterministically."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pyoxigraph import RdfFormat, parse

from regiograph.loader.shacl import files as validation

GENERATOR = Path(__file__).resolve().parents[1] / "bench" / "generate.py"


def generate(*args: str) -> bytes:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, check=True, timeout=60
    )
    assert b"triples in" in done.stderr
    return done.stdout


def test_small_region_conforms_to_the_shapes():
    data = generate("--municipalities", "60", "--years", "2")
    report = validation.validate(data)
    assert report.count("Violation") == 0, report.to_text("en")
    assert report.results == []
    kinds = data.count(b"<https://w3id.org/regiograph/ontology#Municipality> .\n")
    assert kinds == 60


def test_same_seed_same_bytes_other_seed_other_bytes():
    first = generate("--municipalities", "30", "--years", "1")
    assert generate("--municipalities", "30", "--years", "1") == first
    assert generate("--municipalities", "30", "--years", "1", "--seed", "2") != first


def test_observations_per_indicator_and_year_and_nquads(tmp_path):
    target = tmp_path / "region.nq"
    generate(
        "--municipalities",
        "10",
        "--years",
        "15",
        "--graph",
        "http://example.org/g",
        "-o",
        str(target),
    )
    quads = list(parse(target.read_bytes(), format=RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {"http://example.org/g"}
    observations = [q for q in quads if q.object.value.endswith("cube#Observation")]
    assert len(observations) == 10 * 20 * 15
