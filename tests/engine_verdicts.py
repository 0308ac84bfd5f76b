"""What the engine (pyoxigraph) says of SPARQL texts: accepted or not, and for a query its form.

The engine has no parse-only call, so each text runs on an empty in-memory store: a query's
solutions are never iterated, an update runs against nothing. An ASK is evaluated at once and
an update's LOAD fetches, so the texts run in a child process without a network (``unshare
-n``: a new network namespace with no interface up): no test reaches a host, whatever the
text names. Where that is not available, texts that could reach out (SERVICE, LOAD) are left
out and said so.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass

_CHILD = r"""
import json, sys
import pyoxigraph as ox
out = []
for case in json.load(sys.stdin):
    store = ox.Store()
    try:
        if case["kind"] == "update":
            store.update(case["text"], base_iri=case["base"])
            form = None
        else:
            result = store.query(case["text"], base_iri=case["base"])
            form = ("ASK" if isinstance(result, ox.QueryBoolean)
                    else "SELECT" if isinstance(result, ox.QuerySolutions) else "GRAPH")
        out.append({"accepted": True, "form": form, "message": ""})
    except SyntaxError as exc:
        out.append({"accepted": False, "form": None, "message": str(exc)[:300]})
    except Exception as exc:  # parsed, then failed to run: the parser accepted it
        message = f"{type(exc).__name__}: {exc}"[:300]
        out.append({"accepted": True, "form": None, "message": message})
json.dump(out, sys.stdout)
"""


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    form: str | None  # ASK, SELECT or GRAPH (CONSTRUCT/DESCRIBE) when the query was run
    message: str


@functools.cache
def isolated() -> bool:
    """Whether texts can run without a network here."""
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def reaches_out(text: str) -> bool:
    lowered = text.lower()
    return "service" in lowered or "load" in lowered


def verdicts(cases: list[tuple[str, str, str]]) -> list[Verdict | None]:
    """Per ``(kind, text, base)``, the engine's verdict; None where it could not be asked."""
    asked = [i for i, (_k, text, _b) in enumerate(cases) if isolated() or not reaches_out(text)]
    payload = [{"kind": cases[i][0], "text": cases[i][1], "base": cases[i][2]} for i in asked]
    command = [sys.executable, "-c", _CHILD]
    if isolated():
        command = ["unshare", "-n", *command]
    done = subprocess.run(
        command, input=json.dumps(payload), capture_output=True, text=True, check=True, timeout=600
    )
    answers: list[Verdict | None] = [None] * len(cases)
    for i, answer in zip(asked, json.loads(done.stdout), strict=True):
        answers[i] = Verdict(**answer)
    return answers
