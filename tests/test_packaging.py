"""The installed distribution: one import package, and indexes from before it still open."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distribution


def test_only_berita_search_is_importable_from_the_distribution() -> None:
    # Run from outside the repository, where its folders are not on the path.
    code = "import importlib.util as u; print([n for n in ('index','search','web') if u.find_spec(n)])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True)
    assert out.stdout.strip() == "[]"
    assert distribution("berita-search").entry_points["berita-search"].value == "berita_search.search.cli:main"
    import berita_search.web.app  # noqa: F401  (the package itself imports)


def test_schema_pickled_under_the_old_module_names_unpickles() -> None:
    code = (
        "import pickle, sys\n"
        "from berita_search.index.schema import allow_legacy_schema_pickles, build_schema\n"
        "data = pickle.dumps(build_schema(), 2).replace(b'berita_search.index.analysis', b'index.analysis')\n"
        "assert b'berita_search' not in data\n"
        "allow_legacy_schema_pickles()\n"
        "schema = pickle.loads(data)\n"
        "print(type(schema['body'].analyzer.items[0]).__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/", check=True)
    assert out.stdout.strip() == "berita_search.index.analysis"
