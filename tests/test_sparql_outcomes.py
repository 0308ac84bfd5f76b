"""The engine's typed protocol: every way a query ends has one HTTP status and one metrics
label, and a Job and a Reply cross the pipe to a worker process intact."""

from __future__ import annotations

import multiprocessing

from regiograph.ops import metrics
from regiograph.server.routes import sparql as route
from regiograph.sparql import worker
from regiograph.sparql.jobs import Job, Outcome, Reply


def test_every_outcome_has_a_status_and_a_metrics_label():
    assert set(route._STATUS) == set(Outcome) - {Outcome.OK}
    assert set(metrics.QUERY_LABELS) == set(Outcome)
    assert set(metrics.QUERY_LABELS.values()) == set(metrics.QUERY_OUTCOMES)


def test_a_worker_answers_a_job_with_a_typed_reply_through_its_pipe():
    """A real worker process (no store directory: checks only, as in proxy mode)."""
    parent, child = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=worker.main, args=(child, None), daemon=True
    )
    process.start()
    try:
        assert parent.recv() == ("ready",)
        base = "http://example.org/sparql"
        parent.send(Job("query", "ASK {}", base, frozenset(), check_only=True))
        assert parent.recv() == Reply(Outcome.OK, kind="boolean")  # the form, read there
        parent.send(Job("query", "SELECT * { ?s rdfs:label ?o }", base, frozenset(), True))
        assert parent.recv().prologue == (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "  # a default prefix
        )
        parent.send(Job("update", "INSERT DATA {", base, frozenset(), check_only=True))
        syntax = parent.recv()
        assert syntax.outcome is Outcome.SYNTAX and syntax.message
        refused = "SELECT * { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }"
        parent.send(Job("query", refused, base, frozenset(), check_only=True))
        reply = parent.recv()
        assert reply.outcome is Outcome.REFUSED
        assert "service-private-address" in reply.message
    finally:
        parent.send(None)
        process.join(timeout=10)
        process.kill()
