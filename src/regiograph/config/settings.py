"""Every setting, declared once: a row of ``SETTINGS`` with its type, default and help text
(``docs/configuration.md`` is generated from this table by :mod:`.reference`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regiograph.namespaces import DCATDE_LICENCES

ENV_PREFIX = "REGIOGRAPH_"


@dataclass(frozen=True)
class Setting:
    name: str  # dotted: "section.key"
    type: type
    default: Any
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.replace(".", "_").upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "site.base_iri",
        str,
        "http://localhost:8080/",
        "Base IRI of this deployment: things are {base}id/…, pages {base}page/…, "
        "data {base}data/…, named graphs {base}graph/{source}. Must end with '/'.",
    ),
    Setting(
        "site.title",
        str,
        "regiograph",
        "Name of the platform shown in pages and in the service description.",
    ),
    Setting(
        "site.default_language",
        str,
        "de",
        "Language of pages when the reader's browser expresses no preference (de or en).",
    ),
    Setting(
        "site.trust_proxy",
        bool,
        False,
        "Honour X-Forwarded-For/-Proto/-Host/-Prefix from one reverse proxy in front.",
    ),
    *(
        setting
        for key, name in (
            ("imprint", "Impressum"),
            ("privacy", "Datenschutzerklärung"),
            ("accessibility", "Erklärung zur Barrierefreiheit"),
        )
        for setting in (
            Setting(
                f"legal.{key}_url",
                str,
                "",
                f"Address of the operator's {name}, linked from every page's footer. "
                f"Empty: the platform serves legal.{key}_text at /legal/{key}.",
            ),
            Setting(
                f"legal.{key}_text",
                str,
                "",
                f"Text of the {name} (plain text, blank lines between paragraphs), shown at "
                f"/legal/{key} when legal.{key}_url is empty. German public sites must have it.",
            ),
        )
    ),
    Setting(
        "data_dir",
        str,
        "./data",
        "Folder for the platform's own state: the embedded store, locks, indexes, dumps.",
    ),
    Setting(
        "store.query_url",
        str,
        "",
        "SPARQL 1.1 query endpoint of an external store. Empty: start the embedded "
        "Oxigraph server in {data_dir}/store.",
    ),
    Setting(
        "store.update_url",
        str,
        "",
        "SPARQL 1.1 update endpoint of the external store (defaults to store.query_url).",
    ),
    Setting(
        "store.graph_store_url",
        str,
        "",
        "Graph Store Protocol endpoint of the external store. Empty: graphs are replaced "
        "with SPARQL Update instead.",
    ),
    Setting("store.username", str, "", "User name for the external store, if it needs one."),
    Setting("store.password", str, "", "Password for the external store.", secret=True),
    Setting("store.auth", str, "basic", "How to send the credentials: basic or digest."),
    Setting(
        "store.dialect",
        str,
        "auto",
        "Quirks of the store: auto (guess from the URLs), oxigraph, virtuoso or generic "
        "(regiograph: the embedded store's owner, set by the platform itself).",
    ),
    Setting(
        "store.query_timeout_s",
        float,
        30.0,
        "Time limit for one SPARQL query on the store, in seconds.",
    ),
    Setting(
        "store.upload_timeout_s",
        float,
        600.0,
        "Time limit for sending one graph to the store (loads and harvests), in seconds.",
    ),
    Setting(
        "store.connect_timeout_s",
        float,
        5.0,
        "How long to wait for a connection to the store before it counts as unavailable.",
    ),
    Setting(
        "store.oxigraph_binary",
        str,
        "",
        "Path of the `oxigraph` binary, for tools and tests that start one; the embedded "
        "store no longer does (its owner is pyoxigraph). Empty: the one beside Python, "
        "then the one on PATH.",
    ),
    Setting("store.port", int, 0, "Loopback port of the embedded store. 0: any free port."),
    Setting("server.host", str, "127.0.0.1", "Address the web app listens on."),
    Setting("server.port", int, 8080, "Port the web app listens on."),
    Setting("server.workers", int, 2, "Web server worker processes (gunicorn)."),
    Setting("server.threads", int, 4, "Threads per web server worker."),
    Setting(
        "server.write_token",
        str,
        "",
        "Credential for writes (SPARQL Update, Graph Store, admin API), sent as "
        "'Authorization: Bearer …'. Empty: writes are off.",
        secret=True,
    ),
    Setting(
        "server.metrics_token",
        str,
        "",
        "Credential for GET /metrics, sent as 'Authorization: Bearer …' (Prometheus: "
        "authorization.credentials). Empty: server.write_token; both empty: /metrics is off.",
        secret=True,
    ),
    Setting(
        "sparql.timeout_s",
        float,
        30.0,
        "Time limit of one query on the public endpoint /sparql, in seconds. With the "
        "embedded store the query's worker process is killed then (CPU freed at once) and "
        "the client gets 503; an external store is asked to stop at this limit.",
    ),
    Setting(
        "sparql.engine",
        str,
        "auto",
        "Who answers /sparql: pool (killable worker processes with read-only handles on "
        "the embedded store's directory), proxy (the store's own endpoint), or auto (pool "
        "for the embedded store, proxy for an external one).",
    ),
    Setting(
        "sparql.workers",
        int,
        2,
        "Query worker processes per web server process (engine pool); under regiograph serve "
        "the front answers /sparql with server.workers times this many.",
    ),
    Setting(
        "sparql.max_query_bytes",
        int,
        100000,
        "Longest query or update text /sparql accepts, in bytes (longer: 413).",
    ),
    Setting(
        "sparql.max_result_bytes",
        int,
        50000000,
        "Largest result /sparql sends, in bytes; a larger one is refused whole with a "
        "message, never cut off. 0: no limit.",
    ),
    Setting(
        "sparql.max_result_rows",
        int,
        100000,
        "Most rows of a SELECT result /sparql sends; more are refused whole with a message "
        "(use LIMIT/OFFSET). 0: no limit.",
    ),
    Setting(
        "sparql.max_concurrent_per_client",
        int,
        2,
        "Queries one client may run at once, counted over all web server processes (more: "
        "429 with Retry-After); in one process a client also never holds every query worker. "
        "A client is its address, or the proxy's X-Forwarded-For with site.trust_proxy. "
        "0: no limit.",
    ),
    Setting(
        "sparql.time_budget_s",
        float,
        60.0,
        "Seconds of query time one client may use per minute on /sparql, over all web server "
        "processes (every query counts at least 0.05 s); over it: 429 with Retry-After until "
        "enough of it is a minute old. 0: no budget.",
    ),
    Setting(
        "sparql.error_budget",
        int,
        30,
        "Failed queries (syntax errors, SERVICE refusals, results over the limits, the time or "
        "memory limit) one client may cause per minute; after that: 429 with Retry-After. "
        "0: no budget.",
    ),
    Setting(
        "sparql.reserved_threads",
        int,
        1,
        "Threads of each web server process (server.threads) that /sparql never takes, so "
        "pages and /healthz are answered while queries queue; a query that would need one "
        "gets 503 with Retry-After. Under regiograph serve the front answers /sparql on threads "
        "of its own; this applies where gunicorn's app does (a target spelled otherwise).",
    ),
    Setting(
        "sparql.worker_memory_mb",
        int,
        2048,
        "Address space one query worker process may use (RLIMIT_AS), in MiB; a query that "
        "needs more ends with 503 'too much memory' and its worker is replaced. 0: no cap.",
    ),
    Setting(
        "sparql.service_allow",
        str,
        "",
        "SPARQL endpoints that SERVICE may federate to, separated by spaces or commas; "
        "every other target is refused. Loopback, link-local and private addresses only "
        "when written literally here (e.g. http://127.0.0.1:8081/sparql).",
    ),
    Setting(
        "sparql.cache_max_age_s",
        int,
        60,
        "Cache-Control max-age of /sparql results, the service description and VoID, in "
        "seconds (they also carry ETag and Last-Modified from the data version).",
    ),
    Setting(
        "pages.tile_url",
        str,
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Map tile URL template for the maps on resource pages (Leaflet). Empty: maps "
        "show the shapes and markers without a background.",
    ),
    Setting(
        "pages.tile_attribution",
        str,
        "© OpenStreetMap contributors",
        "Attribution shown on maps for the tiles of pages.tile_url.",
    ),
    Setting(
        "pages.cache_entries",
        int,
        500,
        "Rendered pages (and /data documents) each web server process keeps per data "
        "version, least recently used dropped first. 0: every request is rendered.",
    ),
    Setting(
        "pages.cache_max_age_s",
        int,
        60,
        "Cache-Control max-age of resource pages, /data documents and the home page, in "
        "seconds (they also carry ETag and Last-Modified from the data version).",
    ),
    Setting("log.level", str, "INFO", "Log level: DEBUG, INFO, WARNING or ERROR."),
    Setting("log.json", bool, False, "Write logs as one JSON object per line."),
    Setting(
        "schedule.enabled",
        bool,
        True,
        "Run due harvests (sources with a `schedule`) in the background of `regiograph "
        "serve`. Turn off where a separate harvester (`regiograph schedule run-due --loop`) "
        "does it, e.g. with several app instances.",
    ),
    Setting(
        "queries.dir",
        str,
        "",
        "Folder of saved queries (*.rq with a '#+' header). Empty: the bundled queries/.",
    ),
    Setting(
        "queries.max_limit",
        int,
        10000,
        "Largest page of rows /api/queries/… returns (its 'limit' parameter).",
    ),
    Setting("catalog.page_size", int, 100, "Datasets per page of /catalog (hydra paging)."),
    Setting(
        "catalog.publisher_name",
        str,
        "",
        "Publisher (foaf:name) of the catalogue and the platform's own datasets. "
        "Empty: site.title.",
    ),
    Setting(
        "catalog.publisher_iri",
        str,
        "",
        "IRI of that publisher. Empty: {base}id/organisation/operator.",
    ),
    Setting(
        "catalog.contact_email",
        str,
        "opendata@example.org",
        "Functional mailbox of the catalogue's contact point (vcard:hasEmail); set it.",
    ),
    Setting(
        "catalog.contributor_id",
        str,
        "http://dcat-ap.de/def/contributors/metropolregionRheinNeckar",
        "dcatde:contributorID of the own datasets: an IRI from the dcat-ap.de "
        "contributor list (the demo region's by default). Empty: none.",
    ),
    Setting(
        "catalog.licence",
        str,
        DCATDE_LICENCES + "dl-by-de/2.0",
        "Licence of the platform's own datasets and dumps: an IRI from the dcat-ap.de "
        "licence list.",
    ),
    Setting(
        "catalog.preview_hosts",
        str,
        "",
        "Hosts (host or host:port, separated by spaces or commas) whose CSV and GeoJSON "
        "distributions the catalogue's dataset pages preview; the server fetches at most "
        "64 KiB of a CSV and 2 MiB of a GeoJSON, follows no redirect and waits a few "
        "seconds at most. The platform's own files are always previewed. Empty: only those.",
    ),
)
