"""The README as a test: every command and option its synopsis lists exists, every query form
of its query-language table runs against the bundled sample, and the forms it gives as
synonyms find the same articles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from tests.conftest import REPO, SAMPLE

README = (REPO / "README.md").read_text(encoding="utf-8")


def synopsis() -> dict[str, set[str]]:
    """Each command of the "Using it" block with the options written beside it."""
    block = README.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands: dict[str, set[str]] = {}
    current = ""
    for line in block.splitlines():
        if line.startswith("berita-search "):
            # "berita-search save|saved|unsave|watch   what they do" names several commands.
            names = line.split()[1].split("|")
            for name in names:
                commands.setdefault(name, set())
            current = names[0] if len(names) == 1 else ""
        if current:
            commands[current] |= set(re.findall(r"--[a-z][a-z-]*", line))
    return commands


def query_table() -> list[list[str]]:
    """The query forms of each row of the query-language table."""
    section = README.split("### Query language", 1)[1].split("\n#", 1)[0]
    return [re.findall(r"`([^`]+)`", line.split(" | ")[0]) for line in section.splitlines() if line.startswith("| `")]


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme") / "index"
    result = run_cli("index", "--index", str(folder), str(SAMPLE))
    assert result.returncode == 0, result.stderr
    return folder


def test_the_synopsis_lists_every_command_and_each_listed_option_exists() -> None:
    commands = synopsis()
    listed = run_cli("--help").stdout
    assert {"index", "query", "show", "stats", "check", "serve", "reindex"} <= set(commands)
    for command, options in commands.items():
        assert re.search(rf"^\s+{command}\b", listed, re.MULTILINE), command
        shown = run_cli(command, "--help")
        assert shown.returncode == 0, (command, shown.stderr)
        # "Every command but reindex also takes --backend and --opensearch-url".
        expected = options | ({"--backend", "--opensearch-url"} if command != "reindex" else set())
        missing = {o for o in expected if o not in shown.stdout}
        assert missing == set(), (command, missing)


def test_every_query_form_of_the_table_runs_on_the_sample(sample_index: Path) -> None:
    rows = query_table()
    assert len(rows) >= 14 and sum(len(r) for r in rows) >= 25
    for row in rows:
        for form in row:
            result = run_cli("query", "--index", str(sample_index), form, "--json")
            # 0: found, 1: nothing found; never a usage error or a traceback.
            assert result.returncode in (0, 1), (form, result.stderr)
            assert "Traceback" not in result.stderr


def ids(index: Path, query: str) -> list[str]:
    result = run_cli("query", "--index", str(index), query, "--json", "--limit", "100", "--no-collapse")
    assert result.returncode in (0, 1), (query, result.stderr)
    return [json.loads(line)["id"] for line in result.stdout.splitlines() if line.startswith("{")]


# The rows whose forms the table gives as synonyms (in the table's words), and the same forms
# over words the sample holds more of (putin and kim meet in one article of it).
SYNONYMS = [
    ["putin OR kim", "putin ATAU kim"],
    ["putin -kim", "putin NOT kim", "putin TANPA kim"],
    ["(putin OR kim) DAN senjata", "(putin OR kim) senjata"],
    ['reporter:"sarah meiliana"', 'penulis:"sarah meiliana"', 'wartawan:"sarah meiliana"'],
    ["sumber:tempo.co", "media:tempo.co"],
    ["tanggal:2023-08", 'tanggal:"Agustus 2023"'],
    ["tanggal:2023-08-31", 'tanggal:"31 Agustus 2023"'],
]
IN_THE_SAMPLE = {
    "putin": "jokowi",
    "kim": "prabowo",
    "senjata": "jakarta",
    "2023-08-31": "2019-09-20",
    "31 Agustus 2023": "20 September 2019",
    "2023-08": "2019-09",
    "Agustus 2023": "September 2019",
}


def in_the_sample(form: str) -> str:
    for word, other in IN_THE_SAMPLE.items():
        form = form.replace(word, other)
    return form


@pytest.mark.parametrize("forms", SYNONYMS, ids=lambda forms: forms[0])
def test_forms_the_readme_gives_as_synonyms_find_the_same_articles(sample_index: Path, forms: list[str]) -> None:
    table = {f for row in query_table() for f in row}
    words = README.split("### Query language", 1)[1].split("\n#", 1)[0]
    for form in forms:
        # Each form is in the table, or its operator or field is named there.
        assert form in table or any(alias in words for alias in ("`AND`/`DAN`", "`penulis:`", "`wartawan:`")), form
    assert len({tuple(ids(sample_index, form)) for form in forms}) == 1, forms
    found = [ids(sample_index, in_the_sample(form)) for form in forms]
    assert found[0], f"{in_the_sample(forms[0])} finds nothing in the sample: the comparison would be empty"
    assert all(f == found[0] for f in found), dict(zip(forms, found, strict=True))


def test_the_exclusion_row_excludes(sample_index: Path) -> None:
    with_second = set(ids(sample_index, "prabowo"))
    without = set(ids(sample_index, "jokowi -prabowo"))
    assert without and not (without & with_second)
    assert without == set(ids(sample_index, "jokowi")) - with_second


def test_the_layout_names_every_module() -> None:
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    for package in ("index", "search", "search/backends", "web"):
        for module in sorted((REPO / package).glob("*.py")):
            if module.name != "__init__.py" or package == "search/backends":
                assert re.search(rf"^\s+{re.escape(module.name)}\s", layout, re.MULTILINE), f"{package}/{module.name}"
