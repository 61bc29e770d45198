"""End-to-end latency of `/win <text>` over HTTP: Benchmate against bare Bolt apps.

Run on demand (not a test): `make bench`, or `.venv/bin/python bench/win_latency.py --help`.

What "bare Bolt" means here (decided for issue 9): the target is Benchmate's `/win` ack
p99 at 8 senders at or below **`bare-default`**: a Bolt `App` with Bolt's defaults (what
Bolt's documentation starts from: the listener runs on a thread and `ack()` is awaited by
polling every 10 ms, so every answer costs about 10 ms; see PRODUCT.md) whose only
listener acks `/win`. Benchmate now commits each win durably before it answers (an fsync
of SQLite's WAL, grouped across concurrent requests), and that is the honest comparison
for an app that stores something. The table also shows **`bare-pbr`**, the bare app
this benchmark used before: built by `bot.app.build_app` like Benchmate, with
`process_before_response=True` (the ack returns with the listener, well under 1 ms of
framework cost). No durable store can answer as fast as an app that stores nothing; that
ratio is reported, not targeted.

All three are served by `bot.server.make_wsgi_app` + `make_server`: same waitress settings
and signature check (`bare-default` also lets Bolt check the signature again, as a
default app does). Each runs in its own server process, with a migrated temporary SQLite
file and the fake Slack Web API from tests/fakeslack.py (users.info, auth.test), so the
load generator here does not share their GIL. Senders post signed, form-encoded slash
commands built by tests/slackclient.py, each over its own keep-alive connection, so we
time the server and not TCP set-up. After a warm-up, the apps take turns round by round
(the first app rotates) to share out the noise of a busy machine; the table gives pooled
percentiles and the per-round spread. Only loopback is used.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import json
import logging
import math
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests/: the fake Slack and the signed client

from slack_bolt import App  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Secret, Settings  # noqa: E402
from bot.deps import Deps  # noqa: E402
from bot.server import EVENTS_PATH, make_server, make_wsgi_app, settle_for_serving  # noqa: E402
from bot.slack.gateway import make_client  # noqa: E402
from bot.store.db import Database, upgrade  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.slackclient import Reply, SlackClient, signature  # noqa: E402

APPS = ("bare-default", "bare-pbr", "benchmate")
TARGET_LEVEL = 8  # senders at which the target applies
SECRET = "bench-signing-secret"
# Everyday wins, half with numbers: those take the patient-data guard's every rule, the
# others only its quick check (bot/rules/phi.py). Each sender goes round the list.
WIN_TEXTS = [
    "recalibrated the chemistry analyzer before the morning run",
    "cut TAT for troponin by 12 minutes",
    "passed my MLS(ASCP) exam",
    "ran 1,240 CBCs on night shift and caught two clotted samples",
    "walked the new hire through blood bank crossmatch procedures",
    "QC on lot 24031 passed on the first try after the reagent change",
    "helped the phlebotomy team sort out the new label printers",
    "reduced hemolysis rate from 4.2% to 1.8% in the ED draws",
]
MAX_SENDERS = 20
USERS = [f"U{1000 + i}" for i in range(MAX_SENDERS)]


# --- the server side (a child process per app) ------------------------------------------


def register_bare(app: App, _deps: Deps) -> None:
    """The trivial `/win` we compare against: ack with a short ephemeral text."""

    @app.command("/win")
    def win(ack: Any) -> None:
        ack(response_type="ephemeral", text="Logged")


def build(kind: str, deps: Deps) -> App:
    if kind == "benchmate":
        return build_app(deps)
    if kind == "bare-pbr":
        return build_app(deps, listeners=register_bare)
    # Bolt's defaults: only what any app must give (its client, its signing secret).
    app = App(
        client=make_client(deps.settings.bot_token, deps.settings.slack_api_url),
        signing_secret=SECRET,
    )
    register_bare(app, deps)
    return app


class QueueDepth(logging.Handler):
    """Counts waitress's "Task queue depth is N" warnings (requests waiting for a thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings = 0
        self.max_depth = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.warnings += 1
        self.max_depth = max(self.max_depth, int(record.args[0]))  # type: ignore[index]

    def take(self) -> dict[str, int]:
        taken = {"waits": self.warnings, "max_depth": self.max_depth}
        self.warnings = self.max_depth = 0
        return taken


def profiled(wsgi: Callable[..., Iterable[bytes]], profiles: list[cProfile.Profile]) -> Any:
    """Profile each request in the thread that serves it (cProfile sees one thread)."""
    local = threading.local()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not hasattr(local, "profile"):
            local.profile = cProfile.Profile()
            profiles.append(local.profile)
        local.profile.enable()
        try:
            return list(wsgi(environ, start_response))
        finally:
            local.profile.disable()

    return app


def serve(kind: str, threads: int, profile_to: str | None) -> None:
    """Serve one app on a loopback port; talk to the load generator over stdin/stdout."""
    queue = QueueDepth()
    waitress_queue = logging.getLogger("waitress.queue")
    waitress_queue.addHandler(queue)
    waitress_queue.propagate = False
    with tempfile.TemporaryDirectory(prefix="benchmate-bench-") as tmp, FakeSlack() as slack:
        for uid in USERS:
            slack.add_user(uid, f"Sender {uid}", "America/Chicago")
        url = f"sqlite:///{Path(tmp) / 'benchmate.db'}"
        upgrade(url)
        db = Database(url)
        settings = Settings(
            bot_token=Secret("xoxb-bench-token"),
            signing_secret=Secret(SECRET),
            slack_api_url=slack.api_url,
            database_url=url,
        )
        deps = Deps(settings=settings, db=db, clock=SystemClock())
        app = build(kind, deps)
        wsgi = make_wsgi_app(app, db, SECRET)
        profiles: list[cProfile.Profile] = []
        if profile_to:
            wsgi = profiled(wsgi, profiles)
        settle_for_serving()  # as `benchmate serve` does, for every app alike
        server = make_server(wsgi, "127.0.0.1", 0, threads=threads)

        def run() -> None:
            # Closing the socket under waitress's select loop ends it with EBADF.
            with contextlib.suppress(OSError):
                server.run()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        hello = {"port": server.effective_port, "slack_url": slack.url, "db": url}
        print(json.dumps(hello), flush=True)
        for line in sys.stdin:  # "stats" until the load generator closes stdin
            if line.strip() == "stats":
                print(json.dumps({**queue.take(), "cpu": time.process_time()}), flush=True)
        server.close()
        thread.join(timeout=5)
        db.dispose()
        if profiles:
            stats = pstats.Stats(profiles[0])
            for extra in profiles[1:]:
                stats.add(extra)
            stats.dump_stats(profile_to)
        if slack.violations:
            raise SystemExit(f"fake Slack saw calls Slack would refuse: {slack.violations}")


# --- the load generator -----------------------------------------------------------------


class KeepAliveClient(SlackClient):
    """tests/slackclient.py's signed requests, over one persistent HTTP/1.1 connection."""

    def __init__(self, port: int, fake_url: str) -> None:
        super().__init__(f"http://127.0.0.1:{port}{EVENTS_PATH}", SECRET, fake_url)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def post(self, body: bytes, content_type: str, **_kw: Any) -> Reply:
        ts = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(self.secret, ts, body),
        }
        self.connection.request("POST", EVENTS_PATH, body, headers)
        response = self.connection.getresponse()
        return Reply(response.status, response.read(), dict(response.getheaders()))


@dataclass
class Server:
    """A server child process and one keep-alive client per sender."""

    kind: str
    process: subprocess.Popen[str]
    clients: list[KeepAliveClient]

    @classmethod
    def start(cls, kind: str, threads: int, profile_to: str | None) -> Server:
        command = [sys.executable, __file__, "--serve", kind, "--threads", str(threads)]
        if profile_to:
            command += ["--profile", profile_to]
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        hello = json.loads(process.stdout.readline())
        clients = [KeepAliveClient(hello["port"], hello["slack_url"]) for _ in USERS]
        return cls(kind, process, clients)

    def queue_stats(self) -> dict[str, float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        return dict(json.loads(self.process.stdout.readline()))

    def stop(self) -> None:
        for client in self.clients:
            client.connection.close()
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass
class Batch:
    latencies: list[float]  # seconds
    wall: float
    errors: list[str] = field(default_factory=list)


def send(server: Server, senders: int, per_sender: int) -> Batch:
    """`senders` threads, each sending `per_sender` `/win <text>` back to back."""
    results: list[list[float]] = [[] for _ in range(senders)]
    errors: list[str] = []
    start = threading.Barrier(senders + 1)

    def sender(i: int) -> None:
        client, user, timings = server.clients[i], USERS[i], results[i]
        start.wait()
        for n in range(per_sender):
            text = WIN_TEXTS[(i + n) % len(WIN_TEXTS)]
            began = time.perf_counter()
            reply = client.command("/win", text, user=user)
            timings.append(time.perf_counter() - began)
            if reply.status != 200 or b"Logged" not in reply.body:
                errors.append(f"{server.kind}: HTTP {reply.status} {reply.body[:200]!r}")

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return Batch([t for timings in results for t in timings], wall, errors)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def spread(values: list[float]) -> str:
    return f"[{ms(min(values))}-{ms(max(values))}]"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    parser.add_argument(
        "--requests", type=int, default=200, help="requests per app, round and concurrency"
    )
    parser.add_argument(
        "--concurrency",
        default=f"1,{TARGET_LEVEL}",
        help=f"sender counts, at most {MAX_SENDERS} (default 1,{TARGET_LEVEL}; the target is at "
        f"{TARGET_LEVEL})",
    )
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument("--max-seconds", type=float, default=180, help="stop measuring after")
    parser.add_argument("--profile", metavar="FILE", help="cProfile Benchmate's requests to FILE")
    parser.add_argument("--serve", choices=APPS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.threads, args.profile if args.serve == "benchmate" else None)
        return

    levels = [int(n) for n in args.concurrency.split(",")]
    if max(levels) > MAX_SENDERS:
        parser.error(f"at most {MAX_SENDERS} senders")
    servers = {kind: Server.start(kind, args.threads, args.profile) for kind in APPS}
    samples: dict[tuple[str, int], list[Batch]] = {}
    # Per app: requests that waited for a waitress thread, the deepest wait, and the server
    # process's CPU seconds (all its threads) over the timed rounds.
    queues: dict[str, dict[str, float]] = {
        kind: {"waits": 0, "max_depth": 0, "cpu": 0.0} for kind in APPS
    }
    deadline = time.monotonic() + args.max_seconds
    rounds_done = 0
    try:
        cpu_before: dict[str, float] = {}
        for kind in APPS:  # warm-up: members created, caches and connections primed
            send(servers[kind], MAX_SENDERS, 5)
            send(servers[kind], 1, 50)
            cpu_before[kind] = servers[kind].queue_stats()["cpu"]
        for r in range(args.rounds):
            if time.monotonic() > deadline:
                break
            for kind in APPS[r % len(APPS) :] + APPS[: r % len(APPS)]:
                for senders in levels:
                    per_sender = max(1, args.requests // senders)
                    samples.setdefault((kind, senders), []).append(
                        send(servers[kind], senders, per_sender)
                    )
                time.sleep(0.3)  # let lazy listeners finish before the other app's turn
                stats = servers[kind].queue_stats()
                queues[kind]["waits"] += int(stats["waits"])
                queues[kind]["max_depth"] = max(queues[kind]["max_depth"], int(stats["max_depth"]))
                queues[kind]["cpu"] = stats["cpu"] - cpu_before[kind]
            rounds_done += 1
    finally:
        for server in servers.values():
            server.stop()
    report(samples, queues, levels, rounds_done, args)


def report(
    samples: dict[tuple[str, int], list[Batch]],
    queues: dict[str, dict[str, float]],
    levels: list[int],
    rounds: int,
    args: argparse.Namespace,
) -> None:
    errors = [e for batches in samples.values() for b in batches for e in b.errors]
    total = sum(len(b.latencies) for batches in samples.values() for b in batches)
    print(
        f"/win <text> end-to-end over HTTP: {total} timed requests, {rounds} alternating "
        f"rounds, waitress threads={args.threads}"
    )
    print("latency in ms; [min-max] of the per-round values shows the spread\n")
    header = f"{'senders':>7}  {'app':<12} {'n':>5}  {'p50':>6} {'spread':<13} "
    print(header + f"{'p99':>6} {'spread':<13} {'req/s':>6}")
    p99s: dict[tuple[str, int], float] = {}
    per_round_p99: dict[tuple[str, int], list[float]] = {}
    for senders in levels:
        for kind in APPS:
            batches = samples.get((kind, senders), [])
            if not batches:
                continue
            pooled = [t for b in batches for t in b.latencies]
            p50s = [percentile(b.latencies, 50) for b in batches]
            per_round_p99[kind, senders] = [percentile(b.latencies, 99) for b in batches]
            p99s[kind, senders] = percentile(pooled, 99)
            rate = len(pooled) / sum(b.wall for b in batches)
            print(
                f"{senders:>7}  {kind:<12} {len(pooled):>5}  {ms(percentile(pooled, 50)):>6} "
                f"{spread(p50s):<13} {ms(p99s[kind, senders]):>6} "
                f"{spread(per_round_p99[kind, senders]):<13} {rate:>6.0f}"
            )
    print()
    for senders in levels:
        for bare in ("bare-default", "bare-pbr"):
            if (bare, senders) not in p99s or ("benchmate", senders) not in p99s:
                continue
            ratio = p99s["benchmate", senders] / p99s[bare, senders]
            rounds_ratio = [
                a / b
                for a, b in zip(
                    per_round_p99["benchmate", senders], per_round_p99[bare, senders], strict=False
                )
            ]
            verdict = ""
            if bare == "bare-default" and senders == TARGET_LEVEL:
                verdict = "; meets the target (<= 1.00x)" if ratio <= 1 else "; MISSES the target"
            print(
                f"p99 benchmate/{bare:<12} at {senders:>2} sender(s): {ratio:.2f}x "
                f"(per round {min(rounds_ratio):.2f}-{max(rounds_ratio):.2f}x){verdict}"
            )
    for kind in APPS:
        q = queues[kind]
        timed = sum(len(b.latencies) for s in levels for b in samples.get((kind, s), []))
        cpu = q["cpu"] / timed * 1e6 if timed else 0.0
        print(
            f"{kind}: server CPU {cpu:.0f} us a request (all threads, waitress included); "
            f"{q['waits']:.0f} requests waited for a waitress thread "
            f"(deepest queue {q['max_depth']:.0f})"
        )
    if args.profile:
        print(f"cProfile of Benchmate's request threads: {args.profile}")
    if errors:
        print(f"\n{len(errors)} requests failed, e.g. {errors[0]}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
