"""Derive the bundled DCAT-AP.de 3.0 profile (shapes/dcat-ap-de/) from the official files in
shared/data: the shapes that ``dcat`` and ``ckan`` sources are checked against by default.

    python scripts/derive_dcat_ap_de.py [SHARED_DATA] [--out shapes/dcat-ap-de]

The five shapes files are copied byte for byte: SEMIC's DCAT-AP 3.0.0 shapes (the base the
German profile overrides; it deactivates some of them) and GovData's four DCAT-AP.de 3.0
files. The profile's imports (``dcat-ap-de-imports.ttl``) name the FOAF, vCard and ORG
ontologies; of those only the class hierarchy matters to SHACL (``sh:class`` follows
``rdfs:subClassOf``), so ``vocabularies/classes.ttl`` keeps just the ``rdfs:subClassOf``
triples between named classes of the three mirrors. The code lists the profile checks
against are data of their own (see the README written here).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

ROOT = Path(__file__).resolve().parents[1]
DE = "dcat-ap-de-shacl/validator/resources/v3.0/shapes"
MIRROR = "dcat-ap-de-shacl/validator/resources/mirror"
# (file in shared/data, origin, version, licence)
SHAPES = (
    (
        "dcat-ap-3/3.0.0/shacl/dcat-ap-SHACL.ttl",
        "SEMICeu/DCAT-AP releases/3.0.0/shacl/dcat-ap-SHACL.ttl "
        "@ 7c531da7f154794da620fd0e57a3e8afe0286c0f",
        "DCAT-AP 3.0.0",
        "CC-BY 4.0 (SEMIC)",
    ),
    *(
        (
            f"{DE}/{name}",
            f"GovDataOfficial/DCAT-AP.de-SHACL-Validation validator/resources/v3.0/shapes/{name} "
            "@ 0715dd6382b418db144325082d60a989e7ecd262",
            "DCAT-AP.de 3.0",
            "CC0 (GovData, file header)",
        )
        for name in (
            "dcat-ap-SHACL-DE.ttl",
            "dcat-ap-spec-german-additions.ttl",
            "dcat-ap-de-controlledvocabularies.ttl",
            "dcat-ap-de-deprecated.ttl",
        )
    ),
)
ONTOLOGIES = (f"{MIRROR}/foaf_0_1.rdf", f"{MIRROR}/vcard.ttl", f"{MIRROR}/org.ttl")
README = """# DCAT-AP.de 3.0 profile (bundled)

DERIVED by `scripts/derive_dcat_ap_de.py`; do not edit by hand.

`dcat` and `ckan` sources are validated against these shapes unless they name `shapes` of
their own or turn validation off (`policy = {{ validate = false }}`), see docs/loader.md.

| file | what | version | origin | licence | sha256 |
|---|---|---|---|---|---|
{rows}
{classes_row}

The profile's code lists (EU authority tables, dcat-ap.de lists) are RDF files of their own
in `vocabularies/`; the loader adds the members a candidate names to the data for validation
only (regiograph.loader.profile).

To update: put the new release's files in shared/data, change the commits in the script, run
it, and read the changed shapes' diff (the German profile deactivates base shapes by IRI).
"""


def derive(shared: Path, out: Path) -> None:
    (out / "vocabularies").mkdir(parents=True, exist_ok=True)
    rows = []
    for name, origin, version, licence in SHAPES:
        source = shared / name
        target = out / Path(name).name
        shutil.copyfile(source, target)
        rows.append(
            f"| `{target.name}` | shapes | {version} | {origin} | {licence} | {_sha(target)} |"
        )
    classes = out / "vocabularies" / "classes.ttl"
    count = _class_hierarchy(shared, classes)
    (out / "README.md").write_text(
        README.format(
            rows="\n".join(rows),
            classes_row=(
                "| `vocabularies/classes.ttl` | the `rdfs:subClassOf` triples between named "
                f"classes of the FOAF, vCard and ORG ontologies the profile imports ({count} "
                "triples), for `sh:class` | mirrors of GovData's validator | "
                + ", ".join(Path(m).name for m in ONTOLOGIES)
                + f" | W3C / FOAF ontologies | {_sha(classes)} |"
            ),
        ),
        encoding="utf-8",
    )


def _class_hierarchy(shared: Path, target: Path) -> int:
    source = Graph()
    for name in ONTOLOGIES:
        source.parse(shared / name)
    kept = Graph()
    kept.bind("rdfs", RDFS)
    for sub, sup in source.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
            kept.add((sub, RDFS.subClassOf, sup))
    header = "# DERIVED by scripts/derive_dcat_ap_de.py from " + ", ".join(ONTOLOGIES) + "\n"
    target.write_text(header + kept.serialize(format="turtle"), encoding="utf-8")
    return len(kept)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(ROOT / "shapes" / "dcat-ap-de"))
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / SHAPES[0][0]).is_file():
        sys.exit(f"{shared}: not the shared data folder (no {SHAPES[0][0]})")
    derive(shared, Path(args.out))


if __name__ == "__main__":
    main()
