"""Indonesian analysis, pinned on real sentences: segmentation, folding, reduplication,
clitics, stopwords and positions, stemming with protected names, highlighting, pickling,
and search over the seed page."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from berita_search.index.analysis import (
    FoldFilter,
    PairFilter,
    analyze,
    common_words,
    fold,
    icu_words,
    pair_analyzer,
    pair_filter_of,
    stem_analyzer,
    surface_analyzer,
)
from berita_search.index.schema import DEFAULT_STEMMER, build_schema
from whoosh.analysis import Token

from tests.conftest import SEED, require_shared

SURFACE = surface_analyzer()
STEMMED = stem_analyzer(DEFAULT_STEMMER)


def surface(text: str) -> list[str]:
    return analyze(text, SURFACE)


def stemmed(text: str) -> list[str]:
    return analyze(text, STEMMED)


# ---------------------------------------------------------------- segmentation


def test_emoji_and_astral_characters_keep_true_offsets() -> None:
    text = "Warganet ramai 😂🔥 membahas 𝐏𝐮𝐭𝐢𝐧 di Twitter"
    # Tokens are reused by the analyzer: copy what each one says.
    tokens = [(t.text, t.startchar, t.endchar) for t in SURFACE(text, chars=True)]
    for word, start, end in tokens:
        assert fold(text[start:end]) == word
    assert [w for w, _, _ in tokens] == ["warganet", "ramai", "membahas", "putin", "di", "twitter"]
    assert all(0 <= s < e <= len(text) for s, e in icu_words(text))


def test_numbers_times_and_amounts_stay_whole() -> None:
    text = "Harga naik 12.34 persen menjadi Rp1.500.000 pada pukul 10.30 WIB, kata BPS."
    words = surface(text)
    assert "12.34" in words
    assert "rp1.500.000" in words
    assert "10.30" in words


def test_covid_19_is_findable_as_typed() -> None:
    # ICU splits the code at the hyphen; the query side turns the typed form into a phrase.
    from berita_search.search.querylang import parse_query

    assert surface("Kasus COVID-19 di Jakarta bertambah") == ["kasus", "covid", "19", "di", "jakarta", "bertambah"]
    assert parse_query("COVID-19").phrases == [["covid", "19"]]


# ---------------------------------------------------------------- normalisation


def test_case_and_accent_folding() -> None:
    assert surface("Société Générale") == surface("SOCIETE generale") == ["societe", "generale"]
    assert surface("ＫＯＲＥＡ Ｕｔａｒａ") == ["korea", "utara"]  # full width, NFKC


def test_non_latin_names_are_transliterated() -> None:
    assert surface("Президент Путин бертему")[1] == "putin"
    assert fold("Путин") == "putin"


# ---------------------------------------------------------------- hyphens and reduplication


def test_hyphenated_names_match_spaced_names() -> None:
    assert surface("Kim Jong-un") == surface("Kim Jong Un") == ["kim", "jong", "un"]


@pytest.mark.parametrize("form", ["anak-anak", "anak2", "anak²"])
def test_reduplication_matches_the_root(form: str) -> None:
    assert set(stemmed(f"Para {form} bermain di sekolah")) >= {"anak"}
    assert "anak" in surface(form)


def test_plural_nouns() -> None:
    assert set(stemmed("negara-negara ASEAN")) == {"negara", "asean"}


# ---------------------------------------------------------------- clitics and particles


@pytest.mark.parametrize(
    ("sentence", "root"),
    [
        ("Ia membaca bukunya di kereta", "buku"),
        ("Bacalah berita itu sebelum membagikannya", "baca"),
        ("Benarkah kabar itu?", "benar"),
        ("Sayapun tidak tahu", "saya"),
        ("Buku ini kubawa pulang", "bawa"),
        ("Kaulihat sendiri hasilnya", "lihat"),
    ],
)
def test_clitics_are_removed_in_the_stemmed_field(sentence: str, root: str) -> None:
    assert root in stemmed(sentence)


def test_surface_field_keeps_clitics_for_exact_matching() -> None:
    assert "bukunya" in surface("Ia membaca bukunya")


# ---------------------------------------------------------------- stopwords and positions


def test_stopwords_leave_their_positions_empty() -> None:
    positions = {t.text: t.pos for t in STEMMED("Menteri dalam negeri dan para gubernur", positions=True)}
    assert "dalam" not in positions and "dan" not in positions
    assert positions["negeri"] - positions["menteri"] == 2
    assert positions["gubernur"] == 5


def test_stopwords_stay_in_the_surface_field_for_phrases() -> None:
    assert surface("Menteri Dalam Negeri") == ["menteri", "dalam", "negeri"]


# ---------------------------------------------------------------- stemming and names


def test_stemming_conflates_derived_forms() -> None:
    assert stemmed("pertukaran senjata") == stemmed("bertukar persenjataan") == ["tukar", "senjata"]


def test_menteri_is_not_teri_and_places_stay_whole() -> None:
    assert stemmed("menteri ikan teri") == ["menteri", "ikan", "teri"]
    assert stemmed("pemilu di Bekasi dan Bali, relawan mengunjungi Kemayoran") == [
        "pemilu",
        "bekasi",
        "bali",
        "relawan",
        "kunjung",
        "kemayoran",
    ]


def test_capitalised_names_inside_a_sentence_are_not_stemmed() -> None:
    # 'Terawan' looks like ter- + awan; capitalised mid-sentence it is a name.
    words = stemmed("Menteri Kesehatan Terawan Agus Putranto meninjau rumah sakit di Depok.")
    assert "terawan" in words and "putranto" in words


# ---------------------------------------------------------------- the schema


def test_schema_pickles_with_its_analyzers() -> None:
    schema = build_schema()
    copy = pickle.loads(pickle.dumps(schema))
    for name in ("title", "body", "caption", "reporter", "title_stem", "body_stem"):
        assert copy[name].analyzer == schema[name].analyzer, name
    assert analyze("Pertukaran surat Kim Jong-un", copy["body_stem"].analyzer) == [
        "tukar",
        "surat",
        "kim",
        "jong",
        "un",
    ]
    assert analyze("Kim Jong-un", copy["title"].analyzer) == ["kim", "jong", "un"]


def test_word_pairs_are_kept_for_common_words_only() -> None:
    pairs = analyze("Wakil Presiden Kim Jong-un tidak ada yang hadir", pair_analyzer())
    # 'kim', 'jong' and 'un' are rare: their own postings narrow a phrase, so no pairs.
    assert pairs == ["wakil presiden", "tidak ada", "ada yang", "yang hadir"]
    assert analyze("tidak ada yang", pair_analyzer(common=frozenset())) == []
    assert len(common_words()) == 1000


def test_indexes_written_before_the_common_list_keep_every_pair() -> None:
    old = PairFilter()
    del old.common  # unpickled from an older index: the attribute never existed
    del old.folds  # nor this one, before pairs broke at gaps
    assert old.indexes("kim", "jong")
    copy = pickle.loads(pickle.dumps(build_schema()))
    assert pair_filter_of(copy["body_pairs"].analyzer).common == common_words()
    assert pair_filter_of(copy["body_pairs"].analyzer).exact
    assert not old.exact  # its pairs were kept across gaps: a filter, never the match


def test_a_word_that_folds_to_nothing_breaks_the_pair() -> None:
    """The positional field drops such a word and keeps its position free (``FoldFilter``):
    no phrase spans the gap, so no pair may either, or a pair would claim a phrase match."""
    words = ["rumah", "\u2019", "sakit", "jiwa"]
    positions = [(t.text, t.pos) for t in FoldFilter()(iter(_tokens(words)))]
    assert positions == [("rumah", 0), ("sakit", 2), ("jiwa", 3)]
    assert [t.text for t in PairFilter(folds=True)(iter(_tokens(words)))] == ["sakit jiwa"]
    assert [t.text for t in PairFilter()(FoldFilter()(iter(_tokens(words))))] == ["rumah sakit", "sakit jiwa"]


def _tokens(words: list[str]) -> list[Token]:
    tokens = []
    for pos, word in enumerate(words):
        token = Token(positions=True)
        token.text, token.pos = word, pos
        tokens.append(token)
    return tokens


# ---------------------------------------------------------------- search and highlighting


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from berita_search.index.readers import read_paths
    from berita_search.index.writer import index_records

    require_shared()
    folder = tmp_path_factory.mktemp("seed-index")
    other = folder / "other.jsonl"
    rows = [
        {
            "title": "Harga ikan teri di pasar naik",
            "content": "Pedagang di pasar ikan Muara Angke menyebut harga ikan teri naik menjelang akhir pekan.",
            "url": "https://example.id/ikan-teri",
            "date": "2019-09-10",
        },
        {
            "title": "Anak-anak belajar di sekolah darurat",
            "content": "Para anak2 pengungsi gempa belajar di tenda. Guru mengajar anak² itu setiap pagi.",
            "url": "https://example.id/anak",
            "date": "2019-09-11",
        },
    ]
    other.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    index_dir = folder / "index"
    summary = index_records(index_dir, read_paths([SEED, other]))
    assert not summary.failed, summary.failed
    return index_dir


def _titles(index_dir: Path, q: str) -> list[str]:
    from berita_search.search.engine import SearchEngine, SearchRequest

    engine = SearchEngine(index_dir)
    try:
        return [h.title for h in engine.search(SearchRequest(q=q)).hits]
    finally:
        engine.close()


@pytest.mark.parametrize("q", ["pertukaran surat", "Kim Jong-un", "Kim Jong Un", '"kim jong un"', "tukar surat"])
def test_seed_page_is_found(seed_index: Path, q: str) -> None:
    titles = _titles(seed_index, q)
    assert titles and "Bertukar Surat" in titles[0]


def test_menteri_does_not_find_ikan_teri(seed_index: Path) -> None:
    assert not any("teri" in t.lower().split() for t in _titles(seed_index, "menteri"))


@pytest.mark.parametrize("q", ["anak", "anak-anak", "anak2"])
def test_reduplicated_forms_are_found_by_the_root(seed_index: Path, q: str) -> None:
    assert any("Anak-anak" in t for t in _titles(seed_index, q))


def test_snippet_highlights_the_original_word() -> None:
    from berita_search.search.querylang import parse_query
    from berita_search.search.snippets import make_snippet

    require_shared()
    body = SEED.read_text(encoding="utf-8")
    snippet = make_snippet(body, parse_query("tukar", DEFAULT_STEMMER))
    assert "bertukar" in [w.lower() for w in snippet.matched_words]
    snippet = make_snippet(body, parse_query("pertukaran", DEFAULT_STEMMER))
    assert {w.lower() for w in snippet.matched_words} & {"bertukar", "pertukaran"}
