"""``python -m regiograph.ops.healthcheck``: exit 0 when the local app's /healthz says ok.

The container's HEALTHCHECK; it reads the port from ``REGIOGRAPH_SERVER_PORT`` like the app,
and needs nothing the image does not have (no curl in a slim image).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def check(port: int, timeout_s: float = 4.0) -> tuple[bool, str]:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            body = json.loads(response.read())
    except (OSError, ValueError) as exc:
        return False, f"{url}: {exc}"
    return body.get("status") == "ok", f"{url}: {body.get('status')}"


def main() -> int:
    ok, message = check(int(os.environ.get("REGIOGRAPH_SERVER_PORT", "8080")))
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
