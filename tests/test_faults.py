"""Faults: a run killed mid-batch or mid-commit, two writers, readers during writes, a full
disk and a read-only folder. The index must keep exactly what its last commit held."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from berita_search.index.check import check_index
from berita_search.index.orphans import find_orphans
from berita_search.index.readers import Article, read_paths
from berita_search.index.writer import STAGING_NAME, IndexBusyError, index_records
from whoosh import index as whoosh_index

from tests.conftest import CLICKID_JSONL, REPO, require_shared

CLI = [sys.executable, "-c", "from berita_search.search.cli import main; main()"]
# The CLI with fault hooks (a pause inside each commit or merge), installed by a test-only script.
LAUNCHER = [sys.executable, str(Path(__file__).with_name("cli_launcher.py"))]
BATCH = 100
ARTICLES = 500
BUSY_LINE = (
    "berita-search: error: another 'berita-search index' is writing to this index; "
    "try again later or pass --wait SECONDS"
)


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The first ARTICLES clickid lines, and their ids in file order."""
    require_shared()
    path = tmp_path_factory.mktemp("faults") / "clickid-subset.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, ARTICLES))
    ids = [r.id for r in read_paths([path]) if isinstance(r, Article)]
    assert len(ids) == len(set(ids)) == ARTICLES
    return path, ids


class Run:
    """A background 'berita-search index' whose stderr lines are collected as they come;
    ``hooks`` are cli_launcher.py options ({'--commit-delay': '30'})."""

    def __init__(self, *args: str, hooks: dict[str, str] | None = None) -> None:
        hook_args = [word for option in (hooks or {}).items() for word in option]
        self.proc = subprocess.Popen(
            [*LAUNCHER, *hook_args, "--", "index", *args] if hooks else [*CLI, "index", *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while sum(1 for line in self.seen if pattern in line) < count:
            try:
                self.seen.append(self.lines.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                pytest.fail(f"no {pattern!r} x{count} within {timeout} s; stderr so far: {self.seen[-5:]}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        # Not communicate(): it would read stderr too, racing the pump for its last lines.
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.proc.wait(timeout=timeout)
        self.pump.join(timeout=10)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.proc.returncode, out, "\n".join(self.seen)


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)


def generation(index_dir: Path) -> int:
    gens = [int(m.group(1)) for p in index_dir.glob("_MAIN_*.toc") if (m := re.match(r"_MAIN_(\d+)\.toc", p.name))]
    return max(gens, default=-1)


def wait_for_generation(index_dir: Path, at_least: int, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while generation(index_dir) < at_least:
        assert proc.poll() is None, "the run ended before the awaited commit"
        assert time.monotonic() < deadline, f"generation {at_least} not reached"
        time.sleep(0.02)


def stored_ids(index_dir: Path) -> list[str]:
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


def assert_last_commit(index_dir: Path, ids: list[str]) -> int:
    """The index opens, passes check and holds the first whole batches, nothing else."""
    report = check_index(index_dir)
    assert not report.problems, report.problems
    assert report.lines[-1] == "OK"
    held = stored_ids(index_dir)
    assert len(held) % BATCH == 0, f"{len(held)} documents is not a whole number of batches"
    assert sorted(held) == sorted(ids[: len(held)])
    # create_in writes generation 0; every commit adds one, and each commit holds one batch.
    assert len(held) == BATCH * generation(index_dir)
    return len(held)


def assert_resumes(index_dir: Path, source: Path, ids: list[str], committed: int) -> None:
    """A plain re-run is not blocked by the dead run's lock files, skips what was committed
    and ends with every article exactly once."""
    done = cli("index", "--index", str(index_dir), "--batch-size", str(BATCH), str(source))
    assert done.returncode == 0, done.stderr
    assert (
        f"added {ARTICLES - committed:,}, updated 0, unchanged {committed:,}, duplicates 0, failed 0" in done.stdout
    ), done.stdout
    held = stored_ids(index_dir)
    assert len(held) == len(set(held)) == ARTICLES
    assert set(held) == set(ids)
    assert cli("check", "--index", str(index_dir)).returncode == 0


# ---------------------------------------------------------------- killed mid-run


@pytest.mark.parametrize("commits_before_kill", [2])
def test_sigkill_while_adding_keeps_committed_batches_and_resumes(
    tmp_path: Path, subset: tuple[Path, list[str]], commits_before_kill: int
) -> None:
    source, ids = subset
    index_dir = tmp_path / "ix"
    run = Run("--index", str(index_dir), "--batch-size", str(BATCH), str(source))
    wait_for_generation(index_dir, commits_before_kill, run.proc)
    run.kill()  # the next batch is being added
    committed = assert_last_commit(index_dir, ids)
    assert BATCH * commits_before_kill <= committed < ARTICLES
    assert (index_dir / "MAIN_WRITELOCK").exists()  # left behind by the kill; must not block
    assert_resumes(index_dir, source, ids, committed)


def test_sigkill_while_committing_keeps_previous_commit(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, ids = subset
    index_dir = tmp_path / "ix"
    run = Run("--index", str(index_dir), "--batch-size", str(BATCH), str(source), hooks={"--commit-delay": "30"})
    run.wait_for_line("[test hook] committing", count=1)
    # The first batch's segment is written but no table of contents names it yet.
    assert generation(index_dir) == 0
    assert list(index_dir.glob("*.seg")), "the segment files should be on disk before the table of contents"
    run.kill()
    assert assert_last_commit(index_dir, ids) == 0
    assert_resumes(index_dir, source, ids, 0)


def test_sigkill_during_a_later_commit(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, ids = subset
    index_dir = tmp_path / "ix"
    run = Run("--index", str(index_dir), "--batch-size", str(BATCH), str(source), hooks={"--commit-delay": "0.3"})
    run.wait_for_line("[test hook] committing", count=3)  # two commits done, the third under way
    run.kill()
    committed = assert_last_commit(index_dir, ids)
    assert committed == 2 * BATCH
    assert_resumes(index_dir, source, ids, committed)


# ---------------------------------------------------------------- killed with worker processes


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_gone(pids: list[int], timeout: float = 15) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)]
    return alive


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "gone"


def assert_whole_jobs(index_dir: Path, ids: list[str]) -> int:
    """Worker jobs finish in any order: the index holds whole jobs of the input, once each."""
    report = check_index(index_dir)
    assert not report.problems, report.problems
    held = stored_ids(index_dir)
    assert len(held) == len(set(held))
    assert set(held) <= set(ids)
    assert len(held) % BATCH == 0, f"{len(held)} documents is not a whole number of jobs"
    return len(held)


def test_sigkill_with_worker_processes_keeps_commits_and_stops_the_workers(
    tmp_path: Path, subset: tuple[Path, list[str]]
) -> None:
    source, ids = subset
    index_dir = tmp_path / "ix"
    run = Run("--index", str(index_dir), "--batch-size", str(BATCH), "--workers", "2", str(source))
    wait_for_generation(index_dir, 2, run.proc)
    workers = _children(run.proc.pid)
    assert len(workers) >= 2, workers  # two workers (and multiprocessing's resource tracker)
    run.kill()
    assert _wait_gone(workers) == [], "worker processes outlived the killed run"
    committed = assert_whole_jobs(index_dir, ids)
    assert 2 * BATCH <= committed < ARTICLES
    done = cli("index", "--index", str(index_dir), "--batch-size", str(BATCH), "--workers", "2", str(source))
    assert done.returncode == 0, done.stderr
    assert f"added {ARTICLES - committed:,}, updated 0, unchanged {committed:,}" in done.stdout
    held = stored_ids(index_dir)
    assert len(held) == len(set(held)) == ARTICLES
    assert not (index_dir / STAGING_NAME).exists()
    assert cli("check", "--index", str(index_dir)).returncode == 0


def test_sigkill_with_worker_processes_while_committing(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, ids = subset
    index_dir = tmp_path / "ix"
    args = ["--index", str(index_dir), "--batch-size", str(BATCH), "--workers", "2", str(source)]
    run = Run(*args, hooks={"--commit-delay": "30"})
    run.wait_for_line("[test hook] committing", count=1)
    # The first job's segment has moved into the index folder; no table of contents names it.
    assert generation(index_dir) == 0
    assert list(index_dir.glob("*.seg"))
    workers = _children(run.proc.pid)
    run.kill()
    assert _wait_gone(workers) == []
    assert assert_whole_jobs(index_dir, ids) == 0
    assert_resumes(index_dir, source, ids, 0)
    # The killed run's moved segment, named by no table of contents, was deleted on resume.
    named = {segment.segment_id() for segment in whoosh_index.open_dir(str(index_dir))._segments()}
    assert {path.name.split(".")[0] for path in index_dir.glob("*.seg")} == named


def test_ctrl_c_with_worker_processes_stops_cleanly(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, ids = subset
    index_dir = tmp_path / "ix"
    # The second commit pauses for a minute: Ctrl-C lands while the run is certainly busy
    # (it used to be sent after the first commit, and a quick run could finish before it).
    hooks = {"--commit-delay": "60", "--delay-from-commit": "2"}
    run = Run("--index", str(index_dir), "--batch-size", str(BATCH), "--workers", "2", str(source), hooks=hooks)
    run.wait_for_line("[test hook] committing", count=2)
    workers = _children(run.proc.pid)
    started = time.monotonic()
    run.proc.send_signal(signal.SIGINT)
    code, _out, err = run.finish(timeout=60)
    assert code == 130, err
    assert time.monotonic() - started < 30  # stopped in the pause, not after it
    assert "berita-search: interrupted" in err and "Traceback" not in err
    assert _wait_gone(workers) == []
    assert not (index_dir / STAGING_NAME).exists()
    assert assert_whole_jobs(index_dir, ids) == BATCH  # the first commit, not the interrupted second
    assert find_orphans(index_dir) == []  # the interrupted commit's segments were removed


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def test_kills_during_merges_do_not_pile_up_files(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    """Five runs killed in the middle of a merge, with the merge's sorting runs on disk: each
    new run removes what the one before left, check counts what the last left, and
    check --repair removes it."""
    source, ids = subset
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    first, more = tmp_path / "first.jsonl", tmp_path / "more.jsonl"
    first.write_text("".join(lines[:100]), encoding="utf-8")
    more.write_text("".join(lines[:110]), encoding="utf-8")
    index_dir = tmp_path / "ix"
    # Ten segments of ten articles: the next commit merges them.
    assert cli("index", "--index", str(index_dir), "--batch-size", "10", str(first)).returncode == 0
    start = folder_bytes(index_dir)
    grown = []
    for _ in range(5):
        args = ["--index", str(index_dir), "--batch-size", "10", "--workers", "1", str(more)]
        run = Run(*args, hooks={"--merge-delay": "60", "--pool-mb": "0.05"})
        run.wait_for_line("[test hook] merging")
        assert list((index_dir / "MAIN.tmp").glob("*.run")), "the merge should have spilled sorting runs"
        run.kill()
        grown.append(folder_bytes(index_dir) - start)
    assert grown[0] > 0
    assert grown[-1] <= 1.5 * grown[0], f"leftovers piled up over five kills: {grown}"
    report = check_index(index_dir)
    assert not report.problems and report.lines[-1] == "OK"
    assert report.orphans and sum(o.bytes for o in report.orphans) == grown[-1]
    assert any(line.startswith(f"Unnamed files: {len(report.orphans)} (") for line in report.lines), report.lines
    repaired = cli("check", "--repair", "--index", str(index_dir))
    assert repaired.returncode == 0, repaired.stderr
    assert f"Unnamed files: removed {len(report.orphans)} (" in repaired.stdout
    assert folder_bytes(index_dir) == start
    assert find_orphans(index_dir) == []
    assert sorted(stored_ids(index_dir)) == sorted(ids[:100])
    done = cli("index", "--index", str(index_dir), "--batch-size", "10", str(more))
    assert done.returncode == 0, done.stderr
    assert "added 10, updated 0, unchanged 100" in done.stdout


def test_next_run_removes_what_a_killed_run_left(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, ids = subset
    index_dir = tmp_path / "ix"
    args = ["--index", str(index_dir), "--batch-size", str(BATCH), str(source)]
    run = Run(*args, hooks={"--commit-delay": "60", "--delay-from-commit": "2"})
    run.wait_for_line("[test hook] committing", count=2)
    run.kill()
    left = find_orphans(index_dir)
    assert left, "the killed commit's segment should be on disk"
    done = cli("index", *args)
    assert done.returncode == 0, done.stderr
    removed = f"Removed {len(left)} files ({sum(o.bytes for o in left) / 1e6:,.1f} MB) that interrupted runs had left"
    assert removed in done.stdout.splitlines()
    assert find_orphans(index_dir) == []
    assert sorted(stored_ids(index_dir)) == sorted(ids)


def test_an_unreadable_older_table_of_contents_removes_nothing(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    """Which files a damaged table of contents names is unknown: nothing is called an orphan,
    and the run goes on."""
    source, _ = subset
    small = tmp_path / "small.jsonl"
    small.write_text("".join(source.read_text(encoding="utf-8").splitlines(keepends=True)[:20]), encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert cli("index", "--index", str(index_dir), str(small)).returncode == 0
    (index_dir / "_MAIN_0.toc").write_bytes(b"garbage")  # an older generation's, damaged
    stray = index_dir / "MAIN_zzzzzzzzzzzzzzzz.seg"
    stray.write_bytes(b"x" * 1000)
    again = cli("index", "--index", str(index_dir), str(small))
    assert again.returncode == 0, again.stderr
    assert "added 0, updated 0, unchanged 20" in again.stdout
    assert stray.exists()
    checked = cli("check", "--index", str(index_dir))
    assert checked.returncode == 0, checked.stderr
    assert any(line.startswith("Unnamed files: not counted (") for line in checked.stdout.splitlines())


def test_check_does_not_count_a_running_writers_files(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, _ = subset
    index_dir = tmp_path / "ix"
    run = Run("--index", str(index_dir), "--batch-size", str(BATCH), str(source), hooks={"--commit-delay": "60"})
    run.wait_for_line("[test hook] committing")
    try:
        assert find_orphans(index_dir), "the commit's segment files are on disk, not yet named"
        report = check_index(index_dir)
        assert "Unnamed files: not counted while a writer is at work" in report.lines
        assert report.orphans == []
        repaired = cli("check", "--repair", "--index", str(index_dir))
        assert "Unnamed files: not counted while a writer is at work" in repaired.stdout
        assert find_orphans(index_dir), "check --repair removed a running writer's files"
    finally:
        run.kill()


# ---------------------------------------------------------------- two writers


def test_second_writer_exits_with_one_line_or_waits(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, ids = subset
    small = tmp_path / "small.jsonl"
    small.write_text("".join(source.read_text(encoding="utf-8").splitlines(keepends=True)[:300]), encoding="utf-8")
    index_dir = tmp_path / "ix"
    args = ["--index", str(index_dir), "--batch-size", str(BATCH), str(small)]
    first = Run(*args, hooks={"--commit-delay": "1"})
    first.wait_for_line("[test hook] committing")

    refused = cli("index", *args)
    assert refused.returncode == 1
    assert refused.stderr.strip() == BUSY_LINE
    assert "Traceback" not in refused.stderr and "LockError" not in refused.stderr

    bounded = cli("index", "--wait", "0.5", *args)
    assert bounded.returncode == 1
    assert bounded.stderr.strip().splitlines() == [
        "berita-search: another 'berita-search index' is writing to this index; waiting up to 0.5 s",
        BUSY_LINE,
    ]

    patient = Run("--wait", "120", *args)
    patient.wait_for_line("waiting up to 120 s")
    rc, out, err = first.finish()
    assert rc == 0, err
    assert "added 300, updated 0, unchanged 0" in out
    rc, out, err = patient.finish()
    assert rc == 0, err
    assert "added 0, updated 0, unchanged 300, duplicates 0, failed 0" in out
    held = stored_ids(index_dir)
    assert sorted(held) == sorted(ids[:300])
    assert not check_index(index_dir).problems


def test_busy_index_in_process_raises_index_busy(tmp_path: Path) -> None:
    import fcntl

    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    fd = os.open(index_dir / "berita-search.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    messages: list[str] = []
    try:
        started = time.monotonic()
        with pytest.raises(IndexBusyError, match="another 'berita-search index' is writing"):
            index_records(index_dir, iter([]), wait_seconds=0.6, on_wait=messages.append)
        assert 0.5 <= time.monotonic() - started < 5
        assert messages == ["another 'berita-search index' is writing to this index; waiting up to 0.6 s"]
    finally:
        os.close(fd)
    index_records(index_dir, iter([]))  # free again


# ---------------------------------------------------------------- readers during writes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_for(tmp_path: Path) -> Iterator[callable]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(index_dir: Path) -> str:
        port = _free_port()
        proc = subprocess.Popen(
            [*CLI, "serve", "--index", str(index_dir), "--port", str(port)],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return base
            except OSError:
                assert proc.poll() is None, "the server did not start"
                assert time.monotonic() < deadline, "the server did not start in 30 s"
                time.sleep(0.1)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def _api_ids(base: str, q: str) -> list[str]:
    url = f"{base}/api/search?{urllib.parse.urlencode({'q': q, 'limit': 20})}"
    with urllib.request.urlopen(url, timeout=10) as response:
        import json

        assert response.status == 200
        return [hit["id"] for hit in json.load(response)["hits"]]


def test_searches_answer_during_indexing_and_see_new_commits(
    tmp_path: Path, subset: tuple[Path, list[str]], server_for
) -> None:
    source, ids = subset
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:100]), encoding="utf-8")
    second.write_text("".join(lines[100:300]), encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert not index_records(index_dir, read_paths([first])).failed
    newcomer = next(r for r in read_paths([second]) if isinstance(r, Article))
    query = f'"{newcomer.title}"'
    base = server_for(index_dir)
    assert newcomer.id not in _api_ids(base, query)

    run = Run("--index", str(index_dir), "--batch-size", "100", str(second), hooks={"--commit-delay": "0.5"})
    answered = 0
    while run.proc.poll() is None:
        shown = cli("show", "--index", str(index_dir), ids[0])
        assert shown.returncode == 0, shown.stderr
        assert "Traceback" not in shown.stderr
        _api_ids(base, "jakarta")
        answered += 1
    rc, out, err = run.finish()
    assert rc == 0, err
    assert answered >= 2, "indexing ended before the searches could overlap it"
    assert newcomer.id in _api_ids(base, query)  # the running server sees the new commit
    assert cli("show", "--index", str(index_dir), newcomer.id).returncode == 0


def test_searcher_sees_only_committed_batches(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    from berita_search.search.engine import SearchEngine

    source, ids = subset
    index_dir = tmp_path / "ix"
    index_records(index_dir, itertools.islice(read_paths([source]), 100))
    engine = SearchEngine(index_dir)
    counts: list[int] = []

    def records() -> Iterator[Article]:
        for number, record in enumerate(itertools.islice(read_paths([source]), 100, 300)):
            if number % 50 == 0:
                counts.append(engine.stats()["documents"])
            yield record

    index_records(index_dir, records(), batch_size=100)
    assert counts == [100, 100, 200, 200]  # a half-written batch is never visible
    assert engine.stats()["documents"] == 300
    engine.close()


# ---------------------------------------------------------------- disk full, read-only folder


def _build_small(index_dir: Path, source: Path, count: int) -> list[str]:
    summary = index_records(index_dir, itertools.islice(read_paths([source]), count))
    assert summary.added == count
    return stored_ids(index_dir)


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from berita_search.search.cli import main

    old = sys.argv
    sys.argv = ["berita-search", *args]
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def test_disk_full_during_write_gives_message_and_keeps_index(
    tmp_path: Path, subset: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from whoosh.filedb.filestore import FileStorage

    source, _ = subset
    index_dir = tmp_path / "ix"
    before = _build_small(index_dir, source, 50)
    real_create = FileStorage.create_file

    def full(self: FileStorage, name: str, *args: object, **kwargs: object):  # noqa: ANN202
        if name.endswith(".toc") or name.endswith(".seg"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
        return real_create(self, name, *args, **kwargs)

    monkeypatch.setattr(FileStorage, "create_file", full)
    code, _out, err = _main(["index", "--index", str(index_dir), "--batch-size", "20", str(source)], capsys)
    monkeypatch.undo()
    assert code == 1
    assert (
        err.strip().splitlines()[-1]
        == f"berita-search: error: cannot write the index at {index_dir}: No space left on device"
    )
    assert "Traceback" not in err
    assert sorted(stored_ids(index_dir)) == sorted(before)
    assert not check_index(index_dir).problems


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``folder``: a real full disk. CI and the development machine
    run as root; where mounting is impossible the test fails, saying why, rather than skip."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a {size} tmpfs at {folder} (this test needs root): {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("workers", [1, 2])
def test_real_full_disk_fails_fast_and_frees_the_space(
    tmp_path: Path, subset: tuple[Path, list[str]], workers: int
) -> None:
    source, _ = subset
    with tmpfs(tmp_path / "tiny", "4m") as disk:
        index_dir = disk / "ix"
        before = _build_small(index_dir, source, 20)
        files_before = {p.name: p.stat().st_size for p in index_dir.iterdir()}
        started = time.monotonic()
        args = ["index", "--index", str(index_dir), "--batch-size", "1000", "--workers", str(workers), str(source)]
        try:
            done = subprocess.run([*CLI, *args], cwd=REPO, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail("the run on a full disk did not end within two minutes")
        elapsed = time.monotonic() - started
        assert done.returncode == 1, done.stderr
        assert done.stderr.strip().splitlines()[-1] == (
            f"berita-search: error: cannot write the index at {index_dir}: No space left on device"
        )
        assert "Traceback" not in done.stderr
        assert elapsed < 30, f"{elapsed:.0f} s to give up on a full disk"
        # The partial segment is gone: the folder holds what it held before, and the space is free.
        assert find_orphans(index_dir) == []
        assert {p.name: p.stat().st_size for p in index_dir.iterdir()} == files_before
        assert sorted(stored_ids(index_dir)) == sorted(before)
        assert cli("check", "--index", str(index_dir)).returncode == 0
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        (tmp_path / "next.jsonl").write_text("".join(lines[20:40]), encoding="utf-8")
        again = cli("index", "--index", str(index_dir), str(tmp_path / "next.jsonl"))
        assert again.returncode == 0, again.stderr  # the lock is free and so is the space
        assert "added 20, updated 0, unchanged 0" in again.stdout


def test_read_only_index_folder(tmp_path: Path, subset: tuple[Path, list[str]]) -> None:
    source, _ = subset
    index_dir = tmp_path / "ix"
    before = _build_small(index_dir, source, 20)
    if os.geteuid() == 0:
        # Root ignores permission bits: make the folder read-only with a read-only bind mount.
        if subprocess.run(["mount", "--bind", str(index_dir), str(index_dir)]).returncode:
            pytest.fail(f"cannot bind-mount {index_dir} read-only (mount failed)")
        subprocess.run(["mount", "-o", "remount,bind,ro", str(index_dir)], check=True)
    else:
        index_dir.chmod(0o555)
    try:
        done = cli("index", "--index", str(index_dir), str(source))
        searched = cli("show", "--index", str(index_dir), before[0])
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(index_dir)], check=True)
        else:
            index_dir.chmod(0o755)
    assert done.returncode == 1
    assert (
        done.stderr.strip() == f"berita-search: error: cannot write the index at {index_dir}: Read-only file system"
        or (done.stderr.strip() == f"berita-search: error: cannot write the index at {index_dir}: Permission denied")
    )
    assert searched.returncode == 0, searched.stderr  # searching a read-only index still works
    assert sorted(stored_ids(index_dir)) == sorted(before)
    assert not check_index(index_dir).problems


# ---------------------------------------------------------------- berita-search check


@pytest.fixture(scope="module")
def healthy_index(tmp_path_factory: pytest.TempPathFactory, subset: tuple[Path, list[str]]) -> Path:
    index_dir = tmp_path_factory.mktemp("check") / "ix"
    _build_small(index_dir, subset[0], 20)
    return index_dir


def _damaged(healthy: Path, tmp_path: Path, damage: str) -> Path:
    index_dir = tmp_path / "ix"
    shutil.copytree(healthy, index_dir)
    segment = next(index_dir.glob("*.seg"))
    if damage == "truncated segment":
        with segment.open("r+b") as fh:
            fh.truncate(segment.stat().st_size // 4)
    elif damage == "missing segment":
        segment.unlink()
    elif damage == "flipped bytes":
        data = bytearray(segment.read_bytes())
        for i in range(len(data) // 6, len(data), 997):
            data[i] ^= 0xFF
        segment.write_bytes(bytes(data))
    elif damage == "garbage table of contents":
        next(index_dir.glob("_MAIN_*.toc")).write_bytes(b"garbage")
    elif damage == "no table of contents":
        next(index_dir.glob("_MAIN_*.toc")).unlink()
    return index_dir


def test_check_passes_a_healthy_index(healthy_index: Path) -> None:
    done = cli("check", "--index", str(healthy_index))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "OK"
    assert "Documents: 20 (20 distinct ids)" in done.stdout


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("truncated segment", "the index does not open: "),
        ("missing segment", "the index does not open: FileNotFoundError"),
        ("flipped bytes", ""),
        ("garbage table of contents", "the table of contents is unreadable: "),
        ("no table of contents", "holds no index (no table of contents)"),
    ],
)
def test_check_finds_damage(healthy_index: Path, tmp_path: Path, damage: str, problem: str) -> None:
    index_dir = _damaged(healthy_index, tmp_path, damage)
    report = check_index(index_dir)
    assert report.problems, f"{damage} not found"
    assert problem in report.problems[0]
    if damage == "garbage table of contents":
        done = cli("check", "--index", str(index_dir))
        assert done.returncode == 1
        assert done.stderr.startswith("problem: the table of contents is unreadable: ")
        assert "Traceback" not in done.stderr


def test_check_on_a_missing_folder(tmp_path: Path) -> None:
    done = cli("check", "--index", str(tmp_path / "nowhere"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"problem: no index folder at {tmp_path / 'nowhere'}"
