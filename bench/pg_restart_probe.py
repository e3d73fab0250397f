"""PostgreSQL restarted under load: what the running server answers meanwhile (issue 14: never a 500).

    .venv/bin/python bench/pg_restart_probe.py --token KIOSK_TOKEN [--url http://127.0.0.1:8200] [--threads 4]
                                               [--seconds 20] [--restart-after 5] [--cluster 15/main]

Against a server already running on PostgreSQL (e.g. ``QUEUE_HOT_PATH=0 manage.py serve --port 8200``, a kiosk
token from ``integrations.models.token_create``), ``--threads`` clients read the kiosk's business types (a token look-up
and a query: Django's path) without pause; after ``--restart-after`` seconds the cluster is restarted with
``pg_ctlcluster``. Prints the answers by status. The machine's own PostgreSQL is restarted: run it on a machine of
your own, never against a shared server.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import threading
import time
import urllib.error
import urllib.request


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--url", default="http://127.0.0.1:8200")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--restart-after", type=float, default=5)
    ap.add_argument("--cluster", default="15/main")
    args = ap.parse_args()
    url = args.url.rstrip("/") + "/api/v1/queue/kiosk/business-types"
    answers: collections.Counter = collections.Counter()
    stop = time.monotonic() + args.seconds

    def client() -> None:
        while time.monotonic() < stop:
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {args.token}"})
            try:
                with urllib.request.urlopen(request, timeout=15) as response:
                    answers[response.status] += 1
            except urllib.error.HTTPError as exc:
                answers[exc.code] += 1
            except OSError as exc:
                answers[type(exc).__name__] += 1
            time.sleep(0.01)

    threads = [threading.Thread(target=client) for _ in range(args.threads)]
    for t in threads:
        t.start()
    time.sleep(args.restart_after)
    version, name = args.cluster.split("/")
    restart = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        capture_output=True,
        text=True,
    )
    for t in threads:
        t.join()
    print(f"restart exit {restart.returncode}; answers: {dict(sorted(answers.items(), key=str))}")


if __name__ == "__main__":
    main()
