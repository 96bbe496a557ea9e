#!/usr/bin/env python3
"""Several machines on loopback, under faults (issue 11; `make soak`, docs/scale.md).

A throwaway PostgreSQL 15, vigie-camsim looping vtest.avi (H.264, stream copy) as N
cameras, W `vigie serve --role worker` and A `--role api` nodes on one site config
(examples/pets09 rules on every camera). Then, in order:
  1. kill -9 of a worker: how long until each of its cameras is analysed elsewhere;
  2. PostgreSQL stopped for --outage-s seconds, then started again;
  3. kill -9 of the API node a console is connected to: how long until the same session
     (cookie) gets live events from the other API node;
and, at the end, every alert id the workers raised (their logs) against the store's:
lost (raised, not stored) and unexpected (stored, never raised) must both be 0. RSS of
every process is sampled every 5 s (CSV, and a trend per process), dropped frames from
the workers' /metrics.

Writes OUT/report.md and OUT/rss.csv; exits 1 when a floor is missed.
  bench/soak.py [--build build] [--minutes 10] [--cameras 30] [--workers 3] [--apis 2]
"""
import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"
VTEST = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "soak-password-long-enough"


def log(msg):
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A cluster in a folder of its own, run as `postgres` when we are root (initdb refuses root)."""

    def __init__(self, folder):
        self.dir = folder
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *cmd):
        subprocess.run(self.as_user + list(cmd), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def init(self):
        os.makedirs(self.dir, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.run(f"{PG_BIN}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()
        self.psql("CREATE DATABASE vigie")

    def start(self):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self.run(f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/server.log", "-w", "-o", opts, "start")

    def stop(self, mode="fast"):
        self.run(f"{PG_BIN}/pg_ctl", "-D", f"{self.dir}/data", "-m", mode, "-w", "stop")

    def url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/vigie"

    def psql(self, sql, db="postgres"):
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-At",
                              "-c", sql], check=True, capture_output=True, text=True)
        return out.stdout.splitlines()


SITE_RULES = """
    zones:
      signpost: [[340, 160], [470, 160], [470, 290], [340, 290]]
      east_path: [[560, 120], [768, 120], [768, 480], [560, 480]]
    lines:
      path_crossing: { points: [[560, 120], [560, 480]] }
    rules:
      - { type: line_crossing, line: path_crossing, objects: [object] }
      - { type: zone_intrusion, zone: east_path, objects: [object], min_seconds: 1 }
      - { type: loitering, zone: signpost, objects: [object], min_seconds: 6, max_gap_seconds: 2 }
"""


def reference_alerts(build, out, clip, analyze_fps):
    """Alerts of one loop of the clip on one camera, analysed alone from the file, and the
    clip's length: what each camera-loop of the soak should come near (live analysis under
    load samples other frames, so it is a reference, not a floor)."""
    folder = os.path.join(out, "reference")
    os.makedirs(folder)
    with open(os.path.join(folder, "site.yaml"), "w") as f:
        f.write(f"detect:\n  type: motion\n  classes: [object]\ncameras:\n  ref:\n    input: {clip}\n"
                f"    analyze_fps: {analyze_fps}\n{SITE_RULES}")
    subprocess.run([os.path.join(build, "vigie"), "analyze", "--quiet", "--config", os.path.join(folder, "site.yaml")],
                   cwd=folder, capture_output=True, text=True, check=True)
    n = int(subprocess.run(["sqlite3", os.path.join(folder, "vigie.db"), "SELECT COUNT(*) FROM alerts"],
                           capture_output=True, text=True, check=True).stdout)
    length = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                   clip], capture_output=True, text=True, check=True).stdout)
    return n, length


def write_config(path, url, camsim_port, cameras, analyze_fps):
    cams = "".join(f"  cam{i:02d}:\n    input: rtsp://127.0.0.1:{camsim_port}/cam{i:02d}\n"
                   f"    analyze_fps: {analyze_fps}\n{SITE_RULES}" for i in range(1, cameras + 1))
    with open(path, "w") as f:
        f.write(f"""# Written by bench/soak.py
store:
  url: {url}
  audit_key: audit.key
  clip_pre_s: 0
  clip_post_s: 0
detect:
  type: motion
  classes: [object]
cluster:
  lease_s: 10
  claim_grace_s: 3
cameras:
{cams}""")


class Node:
    def __init__(self, build, config, role, name, out):
        self.role, self.name = role, name
        self.port = free_port() if role == "api" else 0
        self.log_path = os.path.join(out, f"{name}.log")
        self.log = open(self.log_path, "w")
        listen = f"127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([os.path.join(build, "vigie"), "serve", "--config", config, "--role", role,
                                      "--node", name, "--listen", listen], cwd=out, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.killed = False

    def base(self):
        if self.port == 0:  # a worker on any free port: read it from its first line
            with open(self.log_path) as f:
                m = re.search(r"live views at http://127\.0\.0\.1:(\d+)/", f.read())
            if m:
                self.port = int(m.group(1))
        return f"http://127.0.0.1:{self.port}"

    def alive(self):
        return self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.killed = True

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def rss_mb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024
        except (OSError, AttributeError):
            return None


class Console:
    """A logged-in session (cookie) against one API node, as the console's fetches are."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def login(self, name):
        body = json.dumps({"name": name, "password": PASSWORD}).encode()
        req = urllib.request.Request(self.base + "/api/v1/login", body, {"Content-Type": "application/json",
                                                                          "Origin": self.base})
        self.opener.open(req, timeout=10).read()

    def get(self, path, timeout=5):
        return json.loads(self.opener.open(self.base + path, timeout=timeout).read())

    def first_event(self, timeout=15):
        """Seconds until the live feed (SSE) sends its first message, or None."""
        t0 = time.time()
        try:
            with self.opener.open(self.base + "/api/v1/events", timeout=timeout) as r:
                line = r.readline()
                return time.time() - t0 if line.startswith(b"event:") else None
        except OSError as e:
            log(f"live feed from {self.base}: {e}")
            return None


def wait_until(what, check, limit_s, step_s=0.5):
    t0 = time.time()
    while time.time() - t0 < limit_s:
        if check():
            return time.time() - t0
        time.sleep(step_s)
    log(f"gave up waiting for {what} after {limit_s} s")
    return None


def holders(console):
    try:
        return {c["name"]: (c.get("worker", ""), c.get("online", False)) for c in console.get("/api/v1/cameras")}
    except OSError:
        return {}


def metrics_totals(base):
    out = {"decoded": 0.0, "dropped": 0.0}
    try:
        text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        for key, name in (("decoded", "vigie_camera_frames_decoded_total"), ("dropped", "vigie_camera_frames_dropped_total")):
            if line.startswith(name + "{"):
                out[key] += float(line.rsplit(" ", 1)[1])
    return out


def trend_mb_per_hour(samples):
    """Least-squares slope of RSS over the second half of the run (the first is warm-up)."""
    half = samples[len(samples) // 2:]
    if len(half) < 3:
        return 0.0
    ts, ys = [t for t, _ in half], [y for _, y in half]
    mt, my = statistics.mean(ts), statistics.mean(ys)
    den = sum((t - mt) ** 2 for t in ts)
    return 0.0 if den == 0 else sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / den * 3600


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--cameras", type=int, default=30)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--apis", type=int, default=2)
    ap.add_argument("--outage-s", type=float, default=30)
    ap.add_argument("--analyze-fps", type=float, default=2)
    ap.add_argument("--out", default="out/soak")
    a = ap.parse_args()
    build, out = os.path.abspath(a.build), os.path.abspath(a.out)
    if not os.path.exists(f"{PG_BIN}/initdb"):
        sys.exit(f"soak: PostgreSQL 15 is not installed ({PG_BIN}): scripts/install-deps installs it")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    clip = os.path.join(build, "soak-vtest.mp4")  # the build folder exists on a fresh clone; out/ may not
    if not os.path.exists(clip):
        subprocess.run([os.path.join(ROOT, "scripts", "camsim-encode"), VTEST, clip], check=True)

    # In /tmp: the postgres user must reach its folder (the tree above may be closed to it).
    per_loop, clip_s = reference_alerts(build, out, clip, a.analyze_fps)
    log(f"the clip ({clip_s:.0f} s) raises {per_loop} alerts per loop on one camera (vigie analyze)")
    pg = Postgres(f"/tmp/vigie-soak-pg-{os.getpid()}")
    pg.init()
    camsim_port = free_port()
    camsim = subprocess.Popen([os.path.join(build, "vigie-camsim"), "--loop", "--port", str(camsim_port)] +
                              [f"cam{i:02d}={clip}" for i in range(1, a.cameras + 1)],
                              stdout=open(os.path.join(out, "camsim.log"), "w"), stderr=subprocess.STDOUT)
    config = os.path.join(out, "site.yaml")
    write_config(config, pg.url(), camsim_port, a.cameras, a.analyze_fps)
    subprocess.run([os.path.join(build, "vigie"), "user", "add", "soak", "--role", "operator", "--store", pg.url(),
                    "--audit-key", os.path.join(out, "audit.key")], input=PASSWORD + "\n", text=True, check=True,
                   cwd=out, stdout=subprocess.DEVNULL)
    workers = [Node(build, config, "worker", f"w{k}", out) for k in range(1, a.workers + 1)]
    apis = [Node(build, config, "api", f"a{k}", out) for k in range(1, a.apis + 1)]
    nodes = workers + apis
    t_start = time.time()
    rss = {n.name: [] for n in nodes}
    rss["camsim"] = []
    last_metrics = {}
    stop_sampling = threading.Event()

    def sample():
        while not stop_sampling.is_set():
            now = time.time() - t_start
            for n in nodes:
                if n.alive():
                    mb = n.rss_mb()
                    if mb is not None:
                        rss[n.name].append((now, mb))
                    if n.role == "worker":
                        m = metrics_totals(n.base())
                        if m:
                            last_metrics[n.name] = m
            try:
                with open(f"/proc/{camsim.pid}/status") as f:
                    rss["camsim"].append((now, int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024))
            except OSError:
                pass
            stop_sampling.wait(5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    results, failures = {}, []
    try:
        console = Console(apis[0].base())
        wait_until("the first API node", lambda: _try(lambda: console.login("soak")), 60)
        cams = [f"cam{i:02d}" for i in range(1, a.cameras + 1)]
        warm = wait_until("every camera held and online",
                          lambda: all(h[0] and h[1] for h in holders(console).values()) and
                          len(holders(console)) == a.cameras, 180)
        results["warm-up: every camera held and online (s)"] = warm
        # Live views through the API node, fetched from the worker holding each camera.
        views = sum(_try(lambda c=c: _jpeg(console, f"/api/v1/cameras/{c}/frame.jpg")) for c in cams)
        results["live views through an API node (JPEG from the holder)"] = f"{views}/{len(cams)}"
        if views < len(cams):
            failures.append(f"live views: {views} of {len(cams)} cameras")
        by_worker = {}
        for cam, (w, _) in holders(console).items():
            by_worker.setdefault(w, []).append(cam)
        results["cameras per worker at start"] = {w: len(c) for w, c in sorted(by_worker.items())}
        time.sleep(10)

        # 1. kill -9 of a worker.
        victim = workers[0]
        theirs = by_worker.get(victim.name, [])
        log(f"kill -9 {victim.name} ({len(theirs)} cameras)")
        victim.kill9()
        t_kill = time.time()
        took, moved = {}, {}
        while time.time() - t_kill < 60 and len(took) < len(theirs):
            h = holders(console)
            for cam in theirs:
                if cam not in moved and h.get(cam, ("", False))[0] not in ("", victim.name):
                    moved[cam] = time.time() - t_kill
                if cam not in took and h.get(cam, ("", False))[0] not in ("", victim.name) and h[cam][1]:
                    took[cam] = time.time() - t_kill
            time.sleep(0.5)
        worst = max(took.values()) if len(took) == len(theirs) and took else None
        results["kill -9 of a worker: its cameras leased elsewhere within (s)"] = max(moved.values()) if moved else None
        results["kill -9 of a worker: its cameras analysed elsewhere within (s)"] = worst
        if worst is None or worst > 15:
            failures.append(f"takeover: {len(took)}/{len(theirs)} cameras within 60 s, worst {worst}")

        # 2. The database away.
        time.sleep(10)
        log(f"PostgreSQL stopped for {a.outage_s:.0f} s")
        pg.stop()
        time.sleep(a.outage_s)
        pg.start()
        log("PostgreSQL started again")
        back = wait_until("the API's camera list after the outage", lambda: len(holders(console)) == a.cameras, 60)
        results["PostgreSQL away (s)"] = a.outage_s
        results["API answering again after the restart (s)"] = back

        # 3. The API node a console uses killed; the same session on the other one.
        if len(apis) > 1:
            time.sleep(5)
            log(f"kill -9 {apis[0].name}")
            apis[0].kill9()
            other = Console(apis[1].base())
            other.jar = console.jar
            other.opener = console.opener
            other.base = apis[1].base()
            t = other.first_event()
            results["API node killed: live feed from the other node, same session (s)"] = t
            if t is None:
                failures.append("the console's session did not get live events from the other API node")
            console = other

        # The rest of the run: the database's load measured over it.
        tx_from = (time.time(), _transactions(pg))
        left = a.minutes * 60 - (time.time() - t_start)
        if left > 0:
            log(f"running {left:.0f} s more")
            time.sleep(left)
        # Let the last outboxes drain before stopping.
        time.sleep(5)
        tx_to = (time.time(), _transactions(pg))
        if tx_from[1] is not None and tx_to[1] is not None and tx_to[0] > tx_from[0]:
            results["PostgreSQL transactions per second (steady part)"] = \
                f"{(tx_to[1] - tx_from[1]) / (tx_to[0] - tx_from[0]):.0f}"
        results["load average at the end (1 / 5 / 15 min, {} cores)".format(os.cpu_count())] = \
            " / ".join(f"{x:.1f}" for x in os.getloadavg())
        online = sum(1 for _, (w, up) in holders(console).items() if w and up)
        results["cameras held and online at the end"] = f"{online}/{a.cameras}"
        if online < a.cameras:
            failures.append(f"only {online} of {a.cameras} cameras online at the end")
    finally:
        stop_sampling.set()
        for n in nodes:
            n.stop()
        camsim.terminate()
        camsim.wait()

    raised = set()
    for n in workers:
        with open(n.log_path) as f:
            raised |= set(re.findall(r"vigie serve: camera \S+: alert (\S+) \(", f.read()))
    pg_alive = True
    try:
        stored_rows = pg.psql("SELECT id, camera FROM alerts", db="vigie")
    except subprocess.CalledProcessError:
        pg_alive, stored_rows = False, []
    stored = {r.split("|")[0] for r in stored_rows}
    lost, unexpected = raised - stored, stored - raised
    camera_loops = a.cameras * (time.time() - t_start) / clip_s
    results["alerts per loop: one camera alone (vigie analyze) / per camera-loop here"] = \
        f"{per_loop} / {len(stored) / camera_loops:.1f}"
    results["alerts raised by the workers"] = len(raised)
    results["alerts stored"] = len(stored)
    results["lost (raised, not stored)"] = len(lost)
    results["unexpected (stored, never raised)"] = len(unexpected)
    if not pg_alive or lost or unexpected or not raised:
        failures.append(f"alerts: {len(raised)} raised, {len(stored)} stored, {len(lost)} lost, "
                        f"{len(unexpected)} unexpected")
    decoded = sum(m["decoded"] for m in last_metrics.values())
    dropped = sum(m["dropped"] for m in last_metrics.values())
    results["frames decoded / dropped by the workers (last scrape)"] = f"{decoded:.0f} / {dropped:.0f}"

    with open(os.path.join(out, "rss.csv"), "w") as f:
        f.write("process,seconds,rss_mb\n")
        for name, samples in rss.items():
            for t, mb in samples:
                f.write(f"{name},{t:.0f},{mb:.1f}\n")
    lines = [f"# vigie soak — {a.cameras} cameras, {a.workers} workers, {a.apis} API nodes, {a.minutes:g} min",
             "", f"Command: `bench/soak.py --minutes {a.minutes:g} --cameras {a.cameras} --workers {a.workers} "
             f"--apis {a.apis} --outage-s {a.outage_s:g}`", "", "| measure | value |", "|---|---|"]
    lines += [f"| {k} | {v if v is not None else 'missed'} |" for k, v in results.items()]
    try:
        sizes = pg.psql("SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' AND "
                        "relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 8", db="vigie")
        lines += ["", "| table | size on disk (MB, indexes included) |", "|---|---|"]
        lines += [f"| {r.split('|')[0]} | {int(r.split('|')[1]) / 1e6:.1f} |" for r in sizes]
    except subprocess.CalledProcessError:
        pass
    lines += ["", "| process | RSS first (MB) | max | last | trend, 2nd half (MB/h) |", "|---|---|---|---|---|"]
    killed = {n.name for n in nodes if n.killed}
    for name, samples in rss.items():
        if samples:
            lines.append(f"| {name}{' (killed)' if name in killed else ''} | {samples[0][1]:.0f} | {max(y for _, y in samples):.0f} | {samples[-1][1]:.0f} | "
                         f"{trend_mb_per_hour(samples):+.0f} |")
    lines += ["", "Failures: " + ("; ".join(failures) if failures else "none")]
    report = "\n".join(lines) + "\n"
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(report)
    print(report)
    try:
        pg.stop("immediate")
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(pg.dir, ignore_errors=True)
    return 1 if failures else 0


def _transactions(pg):
    """Transactions committed and rolled back in the vigie database so far (None if unreachable)."""
    try:
        rows = pg.psql("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'vigie'")
        return int(rows[0]) if rows else None
    except (subprocess.CalledProcessError, ValueError):
        return None


def _jpeg(console, path):
    body = console.opener.open(console.base + path, timeout=5).read()
    if not body.startswith(b"\xff\xd8"):
        raise OSError(f"{path}: not a JPEG")


def _try(f):
    try:
        f()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
