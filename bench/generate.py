"""A synthetic smart region of any size, for benchmarks: deterministic, conforming to shapes/.

    python bench/generate.py --municipalities 11000 -o region.nt          # Germany-sized
    python bench/generate.py --municipalities 200 --graph http://localhost:8080/graph/bench

States, districts (about 28 municipalities each), municipalities with keys, statistics and
locations, cooperation structures with memberships, projects with themes, leads, participants,
grants from a few programmes, solutions and their transfers, public services with channels,
DCAT datasets with distributions, and a cube of ``--indicators`` indicators (the scheme's own
and synthetic ones added to it) x ``--years`` years per municipality.

Lines are written directly as N-Triples (or N-Quads with ``--graph``): no RDF library on the
hot path, so that the generator is never the slowest part of a benchmark. The same seed gives
the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

RG = "https://w3id.org/regiograph/ontology#"
CONCEPTS = "https://w3id.org/regiograph/concepts/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
P = {  # predicates and classes as N-Triples terms
    "label": "<http://www.w3.org/2000/01/rdf-schema#label>",
    **{
        k: f"<{RG}{k}>"
        for k in (
            "ags",
            "ars",
            "district",
            "state",
            "region",
            "settlementType",
            "population",
            "area",
            "statisticsDate",
            "lead",
            "participant",
            "theme",
            "usesSolution",
            "recipient",
            "programme",
            "programmeLevel",
            "applicationWindow",
            "fundingRate",
            "availableOnline",
            "transferredSolution",
            "transferredFrom",
            "transferredTo",
            "originProject",
            "indicator",
            "refPeriod",
            "unit",
            "locatedIn",
        )
    },
    **{
        k: f"<{RG}{k}>"
        for k in (
            "Municipality",
            "District",
            "FederalState",
            "Region",
            "Project",
            "Solution",
            "SolutionTransfer",
            "FundingProgramme",
            "ApplicationWindow",
            "CooperationStructure",
        )
    },
    "type": "<http://purl.org/dc/terms/type>",
    "title": "<http://purl.org/dc/terms/title>",
    "description": "<http://purl.org/dc/terms/description>",
    "publisher": "<http://purl.org/dc/terms/publisher>",
    "spatial": "<http://purl.org/dc/terms/spatial>",
    "format": "<http://purl.org/dc/terms/format>",
    "license": "<http://purl.org/dc/terms/license>",
    "date": "<http://purl.org/dc/terms/date>",
    "inScheme": "<http://www.w3.org/2004/02/skos/core#inScheme>",
    "prefLabel": "<http://www.w3.org/2004/02/skos/core#prefLabel>",
    "Concept": "<http://www.w3.org/2004/02/skos/core#Concept>",
    "Organization": "<http://www.w3.org/ns/org#Organization>",
    "Membership": "<http://www.w3.org/ns/org#Membership>",
    "member": "<http://www.w3.org/ns/org#member>",
    "organization": "<http://www.w3.org/ns/org#organization>",
    "role": "<http://www.w3.org/ns/org#role>",
    "status": "<http://www.w3.org/ns/adms#status>",
    "startDate": "<https://schema.org/startDate>",
    "endDate": "<https://schema.org/endDate>",
    "MonetaryGrant": "<https://schema.org/MonetaryGrant>",
    "MonetaryAmount": "<https://schema.org/MonetaryAmount>",
    "amount": "<https://schema.org/amount>",
    "value": "<https://schema.org/value>",
    "currency": "<https://schema.org/currency>",
    "funder": "<https://schema.org/funder>",
    "fundedItem": "<https://schema.org/fundedItem>",
    "url": "<https://schema.org/url>",
    "PublicService": "<http://purl.org/vocab/cpsv#PublicService>",
    "Channel": "<http://data.europa.eu/m8g/Channel>",
    "hasChannel": "<http://data.europa.eu/m8g/hasChannel>",
    "hasCompetentAuthority": "<http://data.europa.eu/m8g/hasCompetentAuthority>",
    "Dataset": "<http://www.w3.org/ns/dcat#Dataset>",
    "Distribution": "<http://www.w3.org/ns/dcat#Distribution>",
    "distribution": "<http://www.w3.org/ns/dcat#distribution>",
    "accessURL": "<http://www.w3.org/ns/dcat#accessURL>",
    "dcatTheme": "<http://www.w3.org/ns/dcat#theme>",
    "hasGeometry": "<http://www.opengis.net/ont/geosparql#hasGeometry>",
    "asWKT": "<http://www.opengis.net/ont/geosparql#asWKT>",
    "DataSet": "<http://purl.org/linked-data/cube#DataSet>",
    "Observation": "<http://purl.org/linked-data/cube#Observation>",
    "dataSet": "<http://purl.org/linked-data/cube#dataSet>",
    "structure": "<http://purl.org/linked-data/cube#structure>",
    "refArea": "<http://purl.org/linked-data/sdmx/2009/dimension#refArea>",
    "obsValue": "<http://purl.org/linked-data/sdmx/2009/measure#obsValue>",
    "unitMeasure": "<http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure>",
}
STATES = [f"{k:02d}" for k in range(1, 17)]
THEMES = [
    "local-supply",
    "telemedicine",
    "on-demand-mobility",
    "participation",
    "e-government",
    "education",
    "energy",
    "digital-infrastructure",
    "tourism",
    "social-care",
]
# (indicator, unit, typical value, spread); the first seven are the scheme's own concepts.
REAL_INDICATORS = [
    ("population", "person"),
    ("area", "square-kilometre"),
    ("population-density", "person-per-square-kilometre"),
    ("share-65-plus", "percent"),
    ("share-under-18", "percent"),
    ("broadband-1gbit", "percent"),
    ("commuter-balance", "person"),
]
PROGRAMMES = [
    ("federal-smart-cities", "federal"),
    ("eu-leader", "eu"),
    ("state-rural", "state"),
    ("state-digital-villages", "state"),
    ("regional-impulse", "regional"),
]
SYLLABLES = [
    "ober",
    "unter",
    "nieder",
    "alt",
    "neu",
    "wald",
    "berg",
    "bach",
    "feld",
    "heim",
    "hausen",
    "dorf",
    "stein",
    "au",
    "roth",
    "weiler",
    "brunn",
    "ingen",
    "stadt",
    "hof",
]


def xsd(value, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def text(value: str, lang: str = "de") -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def concept(scheme: str, name: str) -> str:
    return f"<{CONCEPTS}{scheme}/{name}>"


@dataclass
class Writer:
    """Writes one line per triple; the graph term (N-Quads) is added to every line."""

    out: object
    graph: str | None
    triples: int = 0

    def emit(self, subject: str, lines: list[tuple[str, str]]) -> None:
        tail = f" <{self.graph}> .\n" if self.graph else " .\n"
        self.out.write("".join(f"{subject} {p} {o}{tail}" for p, o in lines))
        self.triples += len(lines)


@dataclass
class Region:
    base: str
    rng: random.Random
    municipalities: int
    years: int
    indicators: int

    def iri(self, kind: str, key: str) -> str:
        return f"<{self.base}id/{kind}/{key}>"

    def name(self) -> str:
        parts = self.rng.sample(SYLLABLES, self.rng.choice((2, 2, 3)))
        return "".join(parts).capitalize()


def generate(region: Region, writer: Writer) -> None:
    """Every part of the region, in an order where references point backwards."""
    districts = list(territory(region, writer))
    munis = [m for d in districts for m in d[2]]
    organisations(region, writer, munis)
    programmes(region, writer)
    projects(region, writer, districts)
    services(region, writer, munis)
    datasets(region, writer, munis)
    statistics(region, writer, munis)


def territory(region: Region, w: Writer) -> Iterator[tuple[str, str, list]]:
    """States, one region, districts of about 28 municipalities, the municipalities."""
    rg_region = region.iri("region", "synthetic")
    w.emit(rg_region, [(RDF_TYPE, P["Region"]), (P["label"], text("Synthetische Region"))])
    for key in STATES:
        w.emit(
            region.iri("state", key),
            [
                (RDF_TYPE, P["FederalState"]),
                (P["label"], text(f"Land {key}")),
                (P["ars"], f'"{key}"'),
            ],
        )
    count = max(1, -(-region.municipalities // 28))
    left = region.municipalities
    for number in range(count):
        state = STATES[number % len(STATES)]
        key = f"{state}{number // len(STATES) % 10}{number // 160 % 100:02d}"
        size = -(-left // (count - number))
        left -= size
        yield district(region, w, key, state, rg_region, size)


def district(region: Region, w: Writer, key: str, state: str, rg_region: str, size: int):
    iri = region.iri("district", key)
    members = [
        municipality(region, w, f"{key}{n + 1:03d}", iri, state, rg_region) for n in range(size)
    ]
    w.emit(
        iri,
        [
            (RDF_TYPE, P["District"]),
            (P["label"], text(f"Landkreis {region.name()}")),
            (P["ars"], f'"{key}"'),
            (P["type"], concept("district-type", "landkreis")),
            (P["state"], region.iri("state", state)),
            (P["region"], rg_region),
            (P["population"], xsd(sum(m[1] for m in members), "integer")),
        ],
    )
    return iri, key, members


def municipality(
    region: Region, w: Writer, ags: str, district_iri: str, state: str, rg_region: str
) -> tuple[str, int, str]:
    rng = region.rng
    population = int(rng.lognormvariate(8.3, 1.1)) + 50
    settlement = (
        "rural" if population < 10000 else "intermediate" if population < 50000 else "urban"
    )
    iri = region.iri("municipality", ags)
    w.emit(
        iri,
        [
            (RDF_TYPE, P["Municipality"]),
            (P["label"], text(region.name())),
            (P["ags"], f'"{ags}"'),
            (P["ars"], f'"{ags[:5]}0{ags[5:]}{ags[5:]}"'),
            (
                P["type"],
                concept("municipality-type", "stadt" if population > 20000 else "gemeinde"),
            ),
            (P["district"], district_iri),
            (P["state"], region.iri("state", state)),
            (P["region"], rg_region),
            (P["settlementType"], concept("settlement-type", settlement)),
            (P["population"], xsd(population, "integer")),
            (P["area"], xsd(f"{rng.uniform(3, 150):.2f}", "decimal")),
            (P["statisticsDate"], xsd("2024-12-31", "date")),
            (P["hasGeometry"], f"_:g{ags}"),
        ],
    )
    w.emit(
        f"_:g{ags}",
        [
            (
                P["asWKT"],
                f'"POINT({rng.uniform(6, 15):.5f} {rng.uniform(47.3, 55):.5f})"^^'
                + "<http://www.opengis.net/ont/geosparql#wktLiteral>",
            )
        ],
    )
    return iri, population, settlement


def organisations(region: Region, w: Writer, munis: list) -> None:
    """Funders, and one digitalisation agency per 50 municipalities with their memberships."""
    for key, _level in PROGRAMMES:
        w.emit(
            region.iri("organisation", f"funder-{key}"),
            [(RDF_TYPE, P["Organization"]), (P["label"], text(f"Geldgeber {key}"))],
        )
    for number, start in enumerate(range(0, len(munis), 50)):
        agency = region.iri("organisation", f"agency-{number}")
        w.emit(
            agency,
            [
                (RDF_TYPE, P["CooperationStructure"]),
                (P["label"], text(f"Digitalagentur {region.name()}")),
                (P["type"], concept("cooperation-type", "digital-agency")),
                (P["description"], text("Synthetische Kooperation für Benchmarks.")),
            ],
        )
        for member, *_ in munis[start : start + 50]:
            key = member.rsplit("/", 1)[1].rstrip(">")
            w.emit(
                region.iri("membership", f"agency-{number}-{key}"),
                [
                    (RDF_TYPE, P["Membership"]),
                    (P["member"], member),
                    (P["organization"], agency),
                    (P["role"], concept("membership-role", "shareholder")),
                ],
            )


def programmes(region: Region, w: Writer) -> None:
    for key, level in PROGRAMMES:
        window = region.iri("window", f"{key}-2026")
        first = region.iri("window", f"{key}-2014")
        w.emit(
            region.iri("programme", key),
            [
                (RDF_TYPE, P["FundingProgramme"]),
                (P["label"], text(f"Programm {key}")),
                (P["programmeLevel"], concept("programme-level", level)),
                (P["funder"], region.iri("organisation", f"funder-{key}")),
                (P["fundingRate"], xsd("60.0", "decimal")),
                (P["applicationWindow"], window),
                (P["applicationWindow"], first),
            ],
        )
        # the programme's first call precedes every generated grant (GrantBeforeCallShape)
        for iri, opens, closes in (
            (first, "2014-01-01", "2014-12-31"),
            (window, "2026-03-01", "2026-09-30"),
        ):
            w.emit(
                iri,
                [
                    (RDF_TYPE, P["ApplicationWindow"]),
                    (P["startDate"], xsd(opens, "date")),
                    (P["endDate"], xsd(closes, "date")),
                ],
            )


def projects(region: Region, w: Writer, districts: list) -> None:
    """About one project per ten municipalities, inside one district, each with a grant; every
    third project's solution is transferred to a municipality outside it."""
    rng = region.rng
    number = 0
    for _iri, _key, members in districts:
        for _ in range(max(1, len(members) // 10)):
            number += 1
            team = rng.sample(members, min(len(members), rng.randint(2, 5)))
            project(region, w, number, team, rng.choice(members))


def project(region: Region, w: Writer, number: int, team: list, outsider: tuple) -> None:
    rng = region.rng
    iri, solution = region.iri("project", f"p{number}"), region.iri("solution", f"s{number}")
    start = rng.randint(2015, 2023)
    lead = team[0][0]
    w.emit(
        iri,
        [
            (RDF_TYPE, P["Project"]),
            (P["label"], text(f"Projekt {region.name()}")),
            (P["lead"], lead),
            *[(P["participant"], m[0]) for m in team],
            (P["theme"], concept("theme", rng.choice(THEMES))),
            (P["status"], concept("project-status", "running" if start > 2021 else "completed")),
            (P["startDate"], xsd(f"{start}-01-01", "date")),
            (P["endDate"], xsd(f"{start + rng.randint(1, 4)}-12-31", "date")),
            (P["usesSolution"], solution),
        ],
    )
    w.emit(
        solution,
        [
            (RDF_TYPE, P["Solution"]),
            (P["label"], text(f"Lösung {number}")),
            (P["type"], concept("solution-type", "software")),
        ],
    )
    _grant(region, w, number, lead, iri, start)
    if number % 3 == 0 and outsider[0] != lead:
        _transfer(region, w, number, (solution, lead, outsider[0], iri), start)


def _grant(region: Region, w: Writer, number: int, lead: str, project_iri: str, start: int):
    rng = region.rng
    programme, _level = rng.choice(PROGRAMMES)
    w.emit(
        region.iri("grant", f"g{number}"),
        [
            (RDF_TYPE, P["MonetaryGrant"]),
            (P["recipient"], lead),
            (P["fundedItem"], project_iri),
            (P["programme"], region.iri("programme", programme)),
            (P["funder"], region.iri("organisation", f"funder-{programme}")),
            (P["amount"], f"_:a{number}"),
            (P["startDate"], xsd(f"{start}-01-01", "date")),
            (P["endDate"], xsd(f"{start + 1}-12-31", "date")),
        ],
    )
    w.emit(
        f"_:a{number}",
        [
            (RDF_TYPE, P["MonetaryAmount"]),
            (P["value"], xsd(f"{rng.randint(10, 2000) * 1000}.00", "decimal")),
            (P["currency"], '"EUR"'),
        ],
    )


def _transfer(region: Region, w: Writer, number: int, parts: tuple, start: int) -> None:
    solution, origin, recipient, project_iri = parts
    w.emit(
        region.iri("transfer", f"t{number}"),
        [
            (RDF_TYPE, P["SolutionTransfer"]),
            (P["transferredSolution"], solution),
            (P["transferredFrom"], origin),
            (P["transferredTo"], recipient),
            (P["originProject"], project_iri),
            (P["date"], xsd(f"{start + 2}-06-01", "date")),
        ],
    )


def services(region: Region, w: Writer, munis: list) -> None:
    """Two services per municipality: one online, one in person."""
    for number, (iri, _population, _settlement) in enumerate(munis):
        for kind, online in (("anmelden", True), ("sperrmuell", False)):
            service = region.iri("service", f"{kind}-{number}")
            channel = region.iri("channel", f"{kind}-{number}")
            w.emit(
                service,
                [
                    (RDF_TYPE, P["PublicService"]),
                    (P["label"], text(f"Dienst {kind} {number}")),
                    (P["hasCompetentAuthority"], iri),
                    (P["spatial"], iri),
                    (P["availableOnline"], xsd("true" if online else "false", "boolean")),
                    (P["hasChannel"], channel),
                ],
            )
            w.emit(
                channel,
                [
                    (RDF_TYPE, P["Channel"]),
                    (P["type"], concept("channel-type", "online" if online else "in-person")),
                    *([(P["url"], f"<https://service.example/{kind}/{number}>")] if online else []),
                ],
            )


def datasets(region: Region, w: Writer, munis: list) -> None:
    """One dataset per twenty municipalities, with a CSV and a JSON distribution."""
    for number in range(0, len(munis), 20):
        dataset = region.iri("dataset", f"d{number}")
        parts = [region.iri("distribution", f"d{number}-{f}") for f in ("csv", "json")]
        w.emit(
            dataset,
            [
                (RDF_TYPE, P["Dataset"]),
                (P["title"], text(f"Datensatz {number}")),
                (P["description"], text("Synthetische Daten für Benchmarks.")),
                (P["publisher"], munis[number][0]),
                (P["spatial"], munis[number][0]),
                (
                    P["dcatTheme"],
                    "<http://publications.europa.eu/resource/authority/data-theme/TRAN>",
                ),
                *[(P["distribution"], d) for d in parts],
            ],
        )
        for part, fmt in zip(parts, ("CSV", "JSON"), strict=True):
            w.emit(
                part,
                [
                    (RDF_TYPE, P["Distribution"]),
                    (P["accessURL"], f"<https://data.example/d{number}.{fmt.lower()}>"),
                    (
                        P["format"],
                        f"<http://publications.europa.eu/resource/authority/file-type/{fmt}>",
                    ),
                    (P["license"], "<http://dcat-ap.de/def/licenses/dl-by-de/2.0>"),
                ],
            )


def indicator_list(region: Region, w: Writer) -> list[tuple[str, str, str]]:
    """(key, indicator term, unit term): the scheme's own, then synthetic ones added to it."""
    found = [(k, concept("indicator", k), concept("unit", u)) for k, u in REAL_INDICATORS]
    for number in range(len(found), region.indicators):
        term = region.iri("indicator", f"synthetic-{number}")
        w.emit(
            term,
            [
                (RDF_TYPE, P["Concept"]),
                (P["inScheme"], f"<{CONCEPTS}indicator>"),
                (P["prefLabel"], text(f"Indikator {number}")),
                (P["prefLabel"], text(f"indicator {number}", "en")),
                (P["unit"], concept("unit", "percent")),
            ],
        )
        found.append((f"synthetic-{number}", term, concept("unit", "percent")))
    return found[: region.indicators]


def statistics(region: Region, w: Writer, munis: list) -> None:
    """The cube: every indicator for every municipality and year (the hot loop)."""
    cube = region.iri("cube", "synthetic")
    w.emit(
        cube,
        [
            (RDF_TYPE, P["DataSet"]),
            (P["label"], text("Synthetische Kennzahlen")),
            (P["structure"], f"<{RG}indicatorStructure>"),
            # a cube names its source, licence and attribution (CubeShape, issue 14)
            ("<http://purl.org/dc/terms/source>", f"<{region.base}id/source/generated>"),
            ("<http://purl.org/dc/terms/license>", "<http://dcat-ap.de/def/licenses/cc-zero>"),
            (
                "<http://dcat-ap.de/def/dcatde/licenseAttributionByText>",
                text("Generiert von bench/generate.py"),
            ),
        ],
    )
    rng, first = region.rng, 2025 - region.years
    tail = f" <{w.graph}> .\n" if w.graph else " .\n"
    head = f"{RDF_TYPE} {P['Observation']}{tail}{{s}} {P['dataSet']} {cube}{tail}"
    for key, term, unit in indicator_list(region, w):
        fixed = f"{P['indicator']} {term}{tail}{{s}} {P['unitMeasure']} {unit}{tail}"
        for iri, population, _settlement in munis:
            ags = iri.rsplit("/", 1)[1][:-1]
            level = population if key == "population" else rng.uniform(1, 100)
            lines = []
            for year in range(first, 2025):
                s = f"<{region.base}id/observation/{key}/{ags}/{year}>"
                value = f"{level * (1 + (year - 2024) * 0.004):.1f}"
                lines.append(
                    f"{s} {head.format(s=s)}{s} {P['refArea']} {iri}{tail}"
                    f"{s} {fixed.format(s=s)}{s} {P['refPeriod']} "
                    f'"{year}"^^<{XSD}gYear>{tail}'
                    f'{s} {P["obsValue"]} "{value}"^^<{XSD}decimal>{tail}'
                )
            w.out.write("".join(lines))
            w.triples += 7 * region.years


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=200)
    parser.add_argument("--years", type=int, default=15, help="years of observations (to 2024)")
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base", default="http://localhost:8080/")
    parser.add_argument("--graph", help="write N-Quads into this named graph")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    region = Region(
        args.base, random.Random(args.seed), args.municipalities, args.years, args.indicators
    )
    started = time.perf_counter()
    target = args.output.open("w", encoding="utf-8", buffering=1 << 20) if args.output else None
    with target or nullcontext(sys.stdout) as out:
        writer = Writer(out, args.graph)
        generate(region, writer)
    seconds = time.perf_counter() - started
    print(
        f"{writer.triples:,} triples in {seconds:.1f} s "
        f"({writer.triples / seconds:,.0f} triples/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
