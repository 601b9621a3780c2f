"""whoosh3's private names the product relies on (index.whoosh_internals): an upgrade of the
pinned version, or a name gone, fails here first and says where to look."""

from __future__ import annotations

import importlib

import pytest
from berita_search.index.whoosh_internals import CHECKED_VERSION, PRIVATE_NAMES, installed_version


def test_the_installed_whoosh_is_the_version_the_private_uses_were_checked_against() -> None:
    assert installed_version() == CHECKED_VERSION, (
        f"whoosh3 {installed_version()} is installed; index/whoosh_internals.py was checked against "
        f"{CHECKED_VERSION}: check each private use listed there, then update CHECKED_VERSION"
    )


@pytest.mark.parametrize("owner", sorted(PRIVATE_NAMES))
def test_each_private_name_still_exists(owner: str) -> None:
    module_name, class_name = owner.rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), class_name)
    missing = [name for name in PRIVATE_NAMES[owner] if name != "_added" and not hasattr(cls, name)]
    assert missing == [], f"{owner} lost {missing}: see index/whoosh_internals.py"


def test_a_segment_writer_counts_what_it_added(tmp_path) -> None:  # noqa: ANN001
    """``_added`` is an instance attribute: checked on a real writer."""
    from berita_search.index.whoosh_internals import finish_segment, unlocked_segment_writer
    from berita_search.index.writer import open_index

    ix = open_index(tmp_path, create=True)
    writer = unlocked_segment_writer(ix)
    assert finish_segment(writer) is None
    writer = unlocked_segment_writer(ix)
    writer.add_document(id="a" * 16, title="Banjir di Semarang", body="Air naik.")
    segment = finish_segment(writer)
    assert segment is not None and segment.doc_count_all() == 1
