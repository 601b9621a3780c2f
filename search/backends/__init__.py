"""Choosing a backend: the Whoosh folder (the default) or an OpenSearch cluster.

The choice comes from options (``--backend``, ``--index``, ``--opensearch-url``) or the
environment (``BERITA_SEARCH_BACKEND``, ``BERITA_SEARCH_INDEX``,
``BERITA_SEARCH_OPENSEARCH_URL`` and the other ``BERITA_SEARCH_OPENSEARCH_*`` variables).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from berita_search.search.backends.opensearch_client import OpenSearchSettings

if TYPE_CHECKING:
    from berita_search.search.backends.base import Backend

BACKEND_ENV = "BERITA_SEARCH_BACKEND"
WHOOSH = "whoosh"
OPENSEARCH = "opensearch"
BACKENDS = (WHOOSH, OPENSEARCH)


@dataclass(frozen=True)
class BackendChoice:
    """Which backend, and where its articles are."""

    name: str = WHOOSH
    index_dir: Path | None = None  # Whoosh: the index folder
    opensearch: OpenSearchSettings | None = None  # OpenSearch: the cluster and alias

    @property
    def is_opensearch(self) -> bool:
        return self.name == OPENSEARCH

    def environment(self) -> dict[str, str]:
        """Variables that make another process choose the same (``serve --workers``)."""
        from berita_search.index.writer import INDEX_ENV

        env = {BACKEND_ENV: self.name}
        if self.index_dir is not None:
            env[INDEX_ENV] = str(self.index_dir.resolve())
        if self.opensearch is not None:
            env.update(self.opensearch.environment())
        return env


def choose_backend(
    backend: str | None = None,
    index_dir: str | None = None,
    opensearch_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> BackendChoice:
    """Options first, then the environment, then Whoosh in ``./berita-index``. Raises ValueError
    with a one-line reason for an unknown backend or a malformed URL."""
    from berita_search.index.writer import index_dir_from

    env = os.environ if environ is None else environ
    name = (backend or env.get(BACKEND_ENV) or WHOOSH).strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r} (choose {' or '.join(BACKENDS)})")
    if name == OPENSEARCH:
        return BackendChoice(OPENSEARCH, opensearch=OpenSearchSettings.from_environment(opensearch_url, env))
    return BackendChoice(WHOOSH, index_dir=index_dir_from(index_dir))


def open_backend(choice: BackendChoice) -> Backend:
    """The backend a choice names, opened. FileNotFoundError when there is no index yet;
    ``OpenSearchUnavailable`` with a one-line reason when the cluster cannot be used."""
    if choice.is_opensearch:
        from berita_search.search.backends.opensearch import OpenSearchBackend

        assert choice.opensearch is not None
        return OpenSearchBackend(choice.opensearch)
    from berita_search.search.backends.whoosh import WhooshBackend

    assert choice.index_dir is not None
    return WhooshBackend(choice.index_dir)


def backend_from_environment() -> Backend:
    """The backend the environment names (a server process started by ``serve --workers``)."""
    return open_backend(choose_backend())
