"""Test-only entry to the berita-search CLI: installs fault hooks, then calls the CLI's main.

    python tests/cli_launcher.py [--commit-delay S] [--delay-from-commit N] [--merge-delay S]
                                 [--pool-mb MB] -- index --index DIR ...

--commit-delay pauses each commit (from the N-th on) after its segment files are written and
before the table of contents names them, printing '[test hook] committing' at every commit;
--merge-delay pauses after a merge policy has poured segments into the writer, printing
'[test hook] merging'; --pool-mb shrinks Whoosh's in-memory posting pool so that merges
spill sorting runs (MAIN.tmp/*.run) to disk. Fault tests kill the run during such a pause.
The product has no such hooks: they are installed here, in the test's process only.

The run answers Ctrl-C as it would in a terminal's foreground even when the test runner was
started in the background of a shell without job control: such a shell starts its commands
with SIGINT ignored, every child inherits that, and Python then installs no handler.
"""

from __future__ import annotations

import signal
import sys
import time


def _pause(label: str, seconds: float) -> None:
    print(f"[test hook] {label}, pausing {seconds:g} s", file=sys.stderr, flush=True)
    time.sleep(seconds)


def install_commit_delay(seconds: float, from_commit: int) -> None:
    from whoosh.writing import SegmentWriter

    write_toc = SegmentWriter._commit_toc
    commits = 0

    def slow_toc(self: SegmentWriter, *args: object, **kwargs: object) -> None:
        nonlocal commits
        commits += 1
        _pause("committing", seconds if commits >= from_commit else 0)
        write_toc(self, *args, **kwargs)

    SegmentWriter._commit_toc = slow_toc


def install_merge_delay(seconds: float) -> None:
    import berita_search.index.writer as writer

    merge = writer.tiered_merge

    def slow_merge(w: object, segments: list) -> list:
        kept = merge(w, segments)
        if len(kept) < len(segments):  # some segments were merged into the writer
            _pause("merging", seconds)
        return kept

    writer.tiered_merge = slow_merge


def install_pool_limit(megabytes: float) -> None:
    import whoosh.writing

    pool_init = whoosh.writing.PostingPool.__init__

    def small_pool(self: object, tempstore: object, segment: object, limitmb: float = 128, **kwargs: object) -> None:
        pool_init(self, tempstore, segment, limitmb=megabytes, **kwargs)

    whoosh.writing.PostingPool.__init__ = small_pool


def main() -> None:
    args = sys.argv[1:]
    options: dict[str, str] = {}
    while args and args[0] != "--":
        name = args.pop(0)
        options[name] = args.pop(0)
    args = args[1:]
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if "--commit-delay" in options:
        install_commit_delay(float(options["--commit-delay"]), int(options.get("--delay-from-commit", "1")))
    if "--merge-delay" in options:
        install_merge_delay(float(options["--merge-delay"]))
    if "--pool-mb" in options:
        install_pool_limit(float(options["--pool-mb"]))
    sys.argv = ["berita-search", *args]
    from berita_search.search.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
