"""Opening an index reads its mapped segment files in place, instead of copying them."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from berita_search.index.readers import read_paths
from berita_search.index.writer import index_records

from tests.conftest import CLICKID_JSONL, REPO, require_shared

PROBE = """
import re, sys
from pathlib import Path
from whoosh import index as whoosh_index
from whoosh.filedb.structfile import BufferFile
from berita_search.index import mapped_files

def private_mb():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^RssAnon:\\s+(\\d+)", status, re.M).group(1)) / 1024

def opened(folder):
    before = private_mb()
    reader = whoosh_index.open_dir(folder).reader()
    terms = sum(1 for _ in reader.lexicon("body"))
    return reader, terms, private_mb() - before

original = BufferFile.__init__
mapped_files.install()
kept, mapped_terms, mapped_growth = opened(sys.argv[1])
BufferFile.__init__ = original
kept2, copied_terms, copied_growth = opened(sys.argv[1])
print(json.dumps([mapped_terms, mapped_growth, copied_terms, copied_growth]))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to read private memory")
def test_opening_a_reader_does_not_copy_the_segments(tmp_path: Path) -> None:
    require_shared()
    source = tmp_path / "rows.jsonl"
    with CLICKID_JSONL.open(encoding="utf-8") as fh:
        source.write_text("".join(itertools.islice(fh, 1500)), encoding="utf-8")
    index_dir = tmp_path / "ix"
    index_records(index_dir, read_paths([source]))
    segments = sum(p.stat().st_size for p in index_dir.glob("*.seg")) / 2**20
    assert segments > 10
    probe = subprocess.run(
        [sys.executable, "-c", "import json\n" + PROBE, str(index_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    mapped_terms, mapped_growth, copied_terms, copied_growth = json.loads(probe.stdout)
    assert mapped_terms == copied_terms > 10_000  # the same lexicon either way
    # Whoosh's own BufferFile copies most of the segment files into private memory.
    assert copied_growth > 0.4 * segments, (copied_growth, segments)
    assert mapped_growth < 0.35 * copied_growth, (mapped_growth, copied_growth)


def test_threads_reading_one_mapped_file_each_keep_their_own_position() -> None:
    """Server threads share a searcher's segment files: a seek in one thread must not move the
    file under another's read (that corrupted postings blocks under concurrent requests)."""
    import threading

    from berita_search.index.mapped_files import MappedFile

    data = bytes(range(256)) * 4096
    shared = MappedFile(memoryview(data))
    wrong: list[int] = []

    def reader(start: int) -> None:
        for step in range(3000):
            offset = (start * 7919 + step * 104729) % (len(data) - 64)
            shared.seek(offset)
            if shared.read(64) != data[offset : offset + 64]:
                wrong.append(offset)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, as a busy server does
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []
