#!/usr/bin/env python3
"""Real OpenSearch 2.19.6 nodes on loopback for development and tests, one JVM per node.

The nodes run from Maven Central jars through the small launcher beside this file
(`pom.xml`, `src/main/java`); there is no distribution to download. Standard library only,
so `make opensearch` can run it before anything is installed:

    python opensearch/cluster.py start --nodes 3   # returns once green; the URL is the last line
    python opensearch/cluster.py status
    python opensearch/cluster.py stop

From Python (tests, bench), with the repository root on sys.path:

    from opensearch.cluster import start
    cluster = start(nodes=3, state_dir=tmp)   # green, every node on its own free ports
    cluster.kill_node(1)                       # SIGKILL, for failover tests
    cluster.restart_node(1)                    # same data, same ports; back to green
    cluster.stop()

Each node lives in `STATE_DIR/<n>-node(s)/node-<i>/` (config, data, logs, `node.pid`); the
running cluster is described by `STATE_DIR/cluster.json`. Stopping keeps data and logs.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER_DIR = Path(__file__).resolve().parent
REPO = LAUNCHER_DIR.parent
TARGET = LAUNCHER_DIR / "target"
JAR = TARGET / "opensearch-launcher.jar"
LIB = TARGET / "lib"
BUILD_STAMP = TARGET / "build-inputs.sha256"
LOG4J_CONFIG = LAUNCHER_DIR / "config" / "log4j2.properties"
MAIN_CLASS = "beritasearch.opensearch.NodeLauncher"
OWNER_PID_PROPERTY = "beritasearch.owner.pid"
DEFAULT_STATE_DIR = REPO / ".opensearch"
RECORD_NAME = "cluster.json"
PID_NAME = "node.pid"
LUCENE_VERSION = "9.12.3"
MIN_JAVA, MAX_JAVA = 17, 21

# OpenSearch's own system JVM options for 2.x on Java 17, with a heap small enough for three
# nodes beside the rest of the test suite on a 2-core, 24 GB machine. No -XX:+AlwaysPreTouch:
# it would make every node resident at its full heap from the start.
JVM_OPTIONS = (
    "-Xms512m",
    "-Xmx768m",
    "-XX:MaxDirectMemorySize=256m",
    "-XX:+UseG1GC",
    "-XX:G1ReservePercent=25",
    "-XX:InitiatingHeapOccupancyPercent=30",
    "-Xss1m",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ShowCodeDetailsInExceptionMessages",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Djna.nosys=true",
    "-Djava.locale.providers=SPI,COMPAT",
    "-Dio.netty.noUnsafe=true",
    "-Dio.netty.noKeySetOptimization=true",
    "-Dio.netty.recycler.maxCapacityPerThread=0",
    "-Dio.netty.allocator.numDirectArenas=0",
    "-Dlog4j.shutdownHookEnabled=false",
    "-Dlog4j2.disable.jmx=true",
)

# Ports are picked below Linux's ephemeral range, which outgoing connections draw from.
PORT_RANGE = (20000, 32000)
START_ATTEMPTS = 3
BIND_FAILURE = re.compile(r"BindTransportException|BindHttpException|Address already in use")


class ClusterError(RuntimeError):
    """Anything that keeps a cluster from building, starting or stopping; the message says what."""


class PortTaken(ClusterError):
    """A node could not bind its port: another process took it after it was picked."""


# ---------------------------------------------------------------------------------------------
# Build


def java_command() -> str:
    """The java of $JAVA_HOME (as Maven uses), else the one on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise ClusterError(
            "java not found: OpenSearch 2.19 needs a Java 17 to 21 JDK (Debian: apt-get install openjdk-17-jdk-headless)"
        )
    return found


def java_major_version(java: str) -> int:
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        raise ClusterError(f"cannot read the version of {java}: {result.stderr.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def check_java() -> str:
    java = java_command()
    major = java_major_version(java)
    if not MIN_JAVA <= major <= MAX_JAVA:
        raise ClusterError(
            f"{java} is Java {major}; OpenSearch 2.19 runs on Java {MIN_JAVA} to {MAX_JAVA} (set JAVA_HOME to one)"
        )
    return java


def maven_command() -> str:
    found = shutil.which("mvn")
    if not found:
        raise ClusterError(
            "mvn not found: the OpenSearch launcher is built with Maven 3.8+ (Debian: apt-get install maven)"
        )
    return found


def build_inputs_digest() -> str:
    """A hash of everything Maven builds from: the pom and every source file."""
    digest = hashlib.sha256()
    files = [LAUNCHER_DIR / "pom.xml", *sorted(p for p in (LAUNCHER_DIR / "src").rglob("*") if p.is_file())]
    for path in files:
        digest.update(str(path.relative_to(LAUNCHER_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_built() -> bool:
    return (
        JAR.is_file()
        and LIB.is_dir()
        and BUILD_STAMP.is_file()
        and BUILD_STAMP.read_text().strip() == build_inputs_digest()
    )


def lucene_versions(lib: Path = LIB) -> set[str]:
    versions = set()
    for jar in lib.glob("lucene-*.jar"):
        match = re.fullmatch(r"lucene-[a-z0-9-]+?-(\d+\.\d+\.\d+)\.jar", jar.name)
        if match:
            versions.add(match.group(1))
    return versions


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(*, force: bool = False, quiet: bool = False) -> bool:
    """Build the launcher and copy its dependencies to `target/lib` when the pom or a source
    changed (or `force`). Tries Maven offline first, then online (Maven Central). Returns
    whether it built."""
    check_java()
    with _file_lock(TARGET / ".build.lock"):
        if not force and is_built():
            return False
        mvn = maven_command()
        # A dependency whose version changed would otherwise stay beside its successor.
        shutil.rmtree(LIB, ignore_errors=True)
        BUILD_STAMP.unlink(missing_ok=True)
        goals = ["package", "dependency:copy-dependencies"]
        if not quiet:
            print(f"building the OpenSearch launcher in {LAUNCHER_DIR} ...", file=sys.stderr)
        started = time.monotonic()
        result = subprocess.run(
            [mvn, "-q", "-B", "-o", *goals], cwd=LAUNCHER_DIR, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            if not quiet:
                print("  not everything is in the local Maven repository: fetching from Maven Central", file=sys.stderr)
            result = subprocess.run(
                [mvn, "-q", "-B", *goals], cwd=LAUNCHER_DIR, capture_output=True, text=True, check=False
            )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip().splitlines()
            raise ClusterError(
                f"Maven could not build {LAUNCHER_DIR} (exit {result.returncode}):\n" + "\n".join(output[-25:])
            )
        versions = lucene_versions()
        if versions != {LUCENE_VERSION}:
            raise ClusterError(
                f"{LIB} holds Lucene {sorted(versions)}; OpenSearch 2.19.6 needs exactly {LUCENE_VERSION}"
            )
        BUILD_STAMP.write_text(build_inputs_digest() + "\n")
        if not quiet:
            print(f"  built in {time.monotonic() - started:.1f} s", file=sys.stderr)
        return True


# ---------------------------------------------------------------------------------------------
# Processes


def _process_state(pid: int) -> str | None:
    """The state letter of /proc/PID/stat, or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except (FileNotFoundError, ProcessLookupError):
        return []


def rss_kib(pid: int) -> int | None:
    """Resident set size of a process in KiB (VmRSS), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int, rng: random.Random | None = None) -> list[int]:
    """`count` distinct loopback ports that nothing listens on now."""
    rng = rng or random.Random()
    chosen: list[int] = []
    for _ in range(2000):
        port = rng.randrange(*PORT_RANGE)
        if port not in chosen and _port_is_free(port):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise ClusterError(f"found only {len(chosen)} free loopback ports of {count} in {PORT_RANGE}")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return ""
    return "\n".join(line[:400] for line in text[-lines:])


def _http_json(url: str, timeout: float) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body or b"{}")
        except ValueError:
            return error.code, {"error": body.decode(errors="replace")[:200]}


# ---------------------------------------------------------------------------------------------
# Nodes and clusters


@dataclass
class Node:
    index: int
    name: str
    home: Path
    http_port: int
    transport_port: int
    pid: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def transport_address(self) -> str:
        return f"127.0.0.1:{self.transport_port}"

    @property
    def pid_file(self) -> Path:
        return self.home / PID_NAME

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / f"{self.name}.log"

    @property
    def stdout_file(self) -> Path:
        return self.home / "logs" / "stdout.log"

    def is_ours(self, pid: int) -> bool:
        """Whether PID is this node's JVM (a recycled PID is left alone)."""
        for _ in range(20):
            args = _cmdline(pid)
            if args != [""]:
                return MAIN_CLASS in args and str(self.home) in args
            # The kernel shows an empty command line at moments (seen while a busy JVM runs).
            if _process_state(pid) in (None, "Z", "X"):
                return False
            time.sleep(0.05)
        return False

    def alive(self) -> bool:
        if self.pid is None:
            return False
        if self.process is not None:  # started by this process: its own child, no guessing
            return self.process.poll() is None
        state = _process_state(self.pid)
        return state is not None and state not in ("Z", "X") and self.is_ours(self.pid)

    def rss_kib(self) -> int | None:
        return rss_kib(self.pid) if self.alive() and self.pid is not None else None

    def failure_report(self) -> str:
        """Why the node's process ended: the launcher's one-line reason when it gave one (the
        stack trace is in the log), else the end of its output and of its log."""
        output = _tail(self.stdout_file, 200).splitlines()
        reasons = [line for line in output if line.startswith("opensearch node failed to start:")]
        if reasons:
            return f"{self.name} exited: {reasons[-1].split(':', 1)[1].strip()} (log: {self.log_file})"
        return (
            f"{self.name} (pid {self.pid}) exited; last lines of {self.stdout_file}:\n{_tail(self.stdout_file)}\n"
            f"last lines of {self.log_file}:\n{_tail(self.log_file)}"
        )

    def _wait_gone(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() >= deadline:
                return False
            if self.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.1)
            else:
                time.sleep(0.1)
        return True

    def _signal(self, signum: int) -> None:
        if self.pid is not None and self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def _forget(self) -> None:
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        self.pid = None
        self.process = None
        self.pid_file.unlink(missing_ok=True)


@dataclass
class Cluster:
    state_dir: Path
    cluster_name: str
    nodes: list[Node]
    owner_pid: int | None = None

    @property
    def url(self) -> str:
        return self.nodes[0].url

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def record_file(self) -> Path:
        return self.state_dir / RECORD_NAME

    def save(self) -> None:
        record = {
            "cluster_name": self.cluster_name,
            "owner_pid": self.owner_pid,
            "nodes": [
                {
                    "name": n.name,
                    "home": str(n.home),
                    "http_port": n.http_port,
                    "transport_port": n.transport_port,
                }
                for n in self.nodes
            ],
        }
        self.state_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.record_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(record, indent=2) + "\n")
        temporary.replace(self.record_file)

    def alive_nodes(self) -> list[Node]:
        return [node for node in self.nodes if node.alive()]

    # -- configuration and processes ------------------------------------------------------

    def _settings(self, node: Node) -> dict[str, object]:
        settings: dict[str, object] = {
            "cluster.name": self.cluster_name,
            "node.name": node.name,
            "path.data": str(node.home / "data"),
            "path.logs": str(node.home / "logs"),
            "network.host": "127.0.0.1",
            "http.port": node.http_port,
            "transport.port": node.transport_port,
            # These disks may be nearly full: the watermarks would make every index read-only.
            "cluster.routing.allocation.disk.threshold_enabled": False,
            # Spread primaries over the nodes, so a lost node costs at most its share of them.
            "cluster.routing.allocation.balance.prefer_primary": True,
        }
        if len(self.nodes) == 1:
            settings["discovery.type"] = "single-node"
        else:
            settings["discovery.seed_hosts"] = [n.transport_address for n in self.nodes]
            settings["cluster.initial_cluster_manager_nodes"] = [n.name for n in self.nodes]
        return settings

    def _write_config(self, node: Node) -> None:
        config = node.home / "config"
        config.mkdir(parents=True, exist_ok=True)
        (node.home / "logs").mkdir(exist_ok=True)
        (node.home / "tmp").mkdir(exist_ok=True)
        # JSON scalars and arrays are YAML.
        lines = [f"{key}: {json.dumps(value)}" for key, value in self._settings(node).items()]
        (config / "opensearch.yml").write_text(
            "# Written by opensearch/cluster.py at every start; edits are overwritten.\n" + "\n".join(lines) + "\n"
        )
        shutil.copyfile(LOG4J_CONFIG, config / "log4j2.properties")

    def _spawn(self, node: Node) -> None:
        java = check_java()
        command = [
            java,
            *JVM_OPTIONS,
            f"-Djava.io.tmpdir={node.home / 'tmp'}",
            f"-XX:ErrorFile={node.home / 'logs' / 'hs_err_pid%p.log'}",
        ]
        if self.owner_pid is not None:
            command.append(f"-D{OWNER_PID_PROPERTY}={self.owner_pid}")
        command += ["-cp", f"{JAR}{os.pathsep}{LIB / '*'}", MAIN_CLASS, str(node.home)]
        with node.stdout_file.open("ab") as out:
            # A session of its own: Ctrl-C in the terminal that started it does not reach the node.
            node.process = subprocess.Popen(
                command,
                cwd=node.home,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        node.pid = node.process.pid
        node.pid_file.write_text(f"{node.pid}\n")

    # -- health ------------------------------------------------------------------------------

    def health(self, timeout: float = 5.0) -> dict:
        """`_cluster/health` from the first live node that answers."""
        last_error: Exception | None = None
        for node in self.alive_nodes():
            try:
                return _http_json(f"{node.url}/_cluster/health", timeout)[1]
            except (urllib.error.URLError, OSError, ValueError) as error:
                last_error = error
        raise ClusterError(f"no node of {self.cluster_name} answers: {last_error}")

    def wait_green(self, timeout: float = 180.0, nodes: int | None = None) -> dict:
        """Wait until the cluster is green with `nodes` nodes (default: all). A node process that
        exits meanwhile is an error carrying the end of its log."""
        expected = nodes if nodes is not None else len(self.nodes)
        deadline = time.monotonic() + timeout
        last: dict | str = "no answer yet"
        turn = 0
        while True:
            for node in self.nodes:
                if node.pid is not None and not node.alive():
                    report = node.failure_report()
                    raise (PortTaken if BIND_FAILURE.search(report) else ClusterError)(report)
            live = self.alive_nodes()
            if live:
                node = live[turn % len(live)]
                turn += 1
                query = f"wait_for_status=green&wait_for_nodes={expected}&timeout=2s&cluster_manager_timeout=2s"
                try:
                    status, body = _http_json(f"{node.url}/_cluster/health?{query}", timeout=10)
                    last = body
                    if status == 200 and body.get("status") == "green" and body.get("number_of_nodes") == expected:
                        return body
                except (urllib.error.URLError, OSError, ValueError) as error:
                    last = f"{node.name}: {error}"
                    time.sleep(0.25)
            if time.monotonic() >= deadline:
                raise ClusterError(
                    f"{self.cluster_name} not green with {expected} node(s) after {timeout:.0f} s; last health: {last}; "
                    f"logs in {self.nodes[0].home.parent}/node-*/logs"
                )

    # -- failover -----------------------------------------------------------------------------

    def kill_node(self, index: int, timeout: float = 15.0) -> Node:
        """SIGKILL one node's JVM (no shutdown, as a crash) and wait until it is gone."""
        node = self.nodes[index]
        if not node.alive():
            raise ClusterError(f"{node.name} is not running")
        node._signal(signal.SIGKILL)
        if not node._wait_gone(timeout):
            raise ClusterError(f"{node.name} (pid {node.pid}) survived SIGKILL for {timeout:.0f} s")
        node._forget()
        return node

    def restart_node(self, index: int, timeout: float = 180.0) -> dict:
        """Start a stopped or killed node again, on its own data and ports, and wait for green."""
        node = self.nodes[index]
        if node.alive():
            raise ClusterError(f"{node.name} is still running (pid {node.pid})")
        self._write_config(node)
        self._spawn(node)
        return self.wait_green(timeout)

    def stop(self, timeout: float = 30.0) -> list[str]:
        """SIGTERM every live node (a clean close), SIGKILL those still there after `timeout`.
        Keeps data and logs; removes the pid files and the cluster record. Returns what stopped."""
        live = self.alive_nodes()
        stopped = [f"{node.name} (pid {node.pid})" for node in live]
        for node in live:
            node._signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for node in live:
            if not node._wait_gone(max(0.0, deadline - time.monotonic())):
                node._signal(signal.SIGKILL)
                node._wait_gone(15.0)
        for node in self.nodes:
            node._forget()
        self.record_file.unlink(missing_ok=True)
        return stopped

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _layout_dir(state_dir: Path, nodes: int) -> Path:
    # One data layout per size: a one-node cluster's data cannot join a three-node one.
    return state_dir / ("1-node" if nodes == 1 else f"{nodes}-nodes")


def load(state_dir: Path | str = DEFAULT_STATE_DIR) -> Cluster | None:
    """The cluster recorded in `state_dir`, with the pids of its nodes that are still running."""
    state_dir = Path(state_dir).resolve()
    record_file = state_dir / RECORD_NAME
    if not record_file.is_file():
        return None
    try:
        record = json.loads(record_file.read_text())
        nodes = [
            Node(i, n["name"], Path(n["home"]), int(n["http_port"]), int(n["transport_port"]))
            for i, n in enumerate(record["nodes"])
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise ClusterError(f"{record_file} is not a cluster record: {error}") from error
    for node in nodes:
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(node.pid_file.read_text().strip())
            if node.is_ours(pid):
                node.pid = pid
    return Cluster(state_dir, record["cluster_name"], nodes, record.get("owner_pid"))


def start(
    nodes: int = 1,
    state_dir: Path | str = DEFAULT_STATE_DIR,
    *,
    timeout: float = 240.0,
    owner_pid: int | None = None,
) -> Cluster:
    """Build if needed, start `nodes` nodes (1, or 3 and more) in the background on free loopback
    ports, and return once the cluster is green with all of them. With `owner_pid`, the nodes
    stop by themselves when that process ends. Nodes that were started are stopped again if the
    cluster does not come up."""
    if nodes != 1 and nodes < 3:
        raise ValueError("nodes must be 1, or 3 or more: two cluster-manager nodes stall when one is lost")
    state_dir = Path(state_dir).resolve()
    running = load(state_dir)
    if running is not None and running.alive_nodes():
        raise ClusterError(f"a cluster is already running from {state_dir} at {running.url}: stop it first")
    build(quiet=True)
    layout = _layout_dir(state_dir, nodes)
    name = "berita-" + hashlib.sha256(str(layout).encode()).hexdigest()[:10]
    for attempt in range(1, START_ATTEMPTS + 1):
        ports = free_ports(2 * nodes)
        cluster = Cluster(
            state_dir,
            name,
            [Node(i, f"node-{i}", layout / f"node-{i}", ports[2 * i], ports[2 * i + 1]) for i in range(nodes)],
            owner_pid,
        )
        try:
            for node in cluster.nodes:
                cluster._write_config(node)
            cluster.save()
            for node in cluster.nodes:
                cluster._spawn(node)
            cluster.wait_green(timeout)
            return cluster
        except PortTaken:
            cluster.stop()
            if attempt == START_ATTEMPTS:
                raise
        except BaseException:
            cluster.stop()
            raise
    raise AssertionError("unreachable")


def stop(target: Cluster | Path | str = DEFAULT_STATE_DIR, timeout: float = 30.0) -> list[str]:
    """Stop a cluster, given itself or the state folder it was started from."""
    cluster = target if isinstance(target, Cluster) else load(target)
    return cluster.stop(timeout) if cluster is not None else []


# ---------------------------------------------------------------------------------------------
# Command line


def _cmd_build(args: argparse.Namespace) -> int:
    built = build(force=args.force)
    print("built" if built else f"up to date: {JAR}")
    return 0


def _cmd_start(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    running = load(state_dir)
    if running is not None and running.alive_nodes():
        if len(running.nodes) != args.nodes or len(running.alive_nodes()) != args.nodes:
            raise ClusterError(
                f"a {len(running.nodes)}-node cluster is running from {state_dir} "
                f"({len(running.alive_nodes())} alive): `make opensearch-stop` first"
            )
        running.wait_green(args.timeout)
        print(f"already running: {len(running.nodes)} node(s), logs in {running.nodes[0].home.parent}")
        print(running.url)
        return 0
    build()
    started = time.monotonic()
    cluster = start(args.nodes, state_dir, timeout=args.timeout)
    print(f"green in {time.monotonic() - started:.1f} s: {args.nodes} node(s) of OpenSearch 2.19.6 on 127.0.0.1")
    for node in cluster.nodes:
        print(f"  {node.name}  pid {node.pid}  {node.url}  transport {node.transport_address}  logs {node.log_file}")
    print(f"stop with: python3 opensearch/cluster.py stop --state-dir {state_dir}")
    print(cluster.url)
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    stopped = stop(args.state_dir, timeout=args.timeout)
    print("stopped " + ", ".join(stopped) if stopped else f"no node running from {Path(args.state_dir).resolve()}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    cluster = load(args.state_dir)
    if cluster is None:
        print(f"no cluster recorded in {Path(args.state_dir).resolve()}")
        return 1
    for node in cluster.nodes:
        rss = node.rss_kib()
        state = f"running, pid {node.pid}, RSS {rss / 1024:.0f} MiB" if rss is not None else "not running"
        print(f"{node.name}  {node.url}  {state}")
    if cluster.alive_nodes():
        health = cluster.health()
        print(f"status {health.get('status')}, {health.get('number_of_nodes')} node(s)")
    print(cluster.url)
    return 0 if cluster.alive_nodes() else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="opensearch/cluster.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build the launcher if its pom or sources changed")
    build_parser.add_argument("--force", action="store_true", help="build even when up to date")
    build_parser.set_defaults(run=_cmd_build)
    for name, run, help_text in (
        ("start", _cmd_start, "start nodes in the background; print the URL last once green"),
        ("stop", _cmd_stop, "stop every node started from the state folder"),
        ("status", _cmd_status, "show the nodes, their memory and the cluster's health"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR), help="default: %(default)s")
        sub.set_defaults(run=run)
        if name == "start":
            sub.add_argument("--nodes", type=int, default=1, help="1 (default), or 3 and more")
        if name in ("start", "stop"):
            sub.add_argument("--timeout", type=float, default=240.0 if name == "start" else 30.0, help="seconds")
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ClusterError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
