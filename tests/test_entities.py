"""People, organisations, places and quotes extracted from real clickid articles, and their scores
on the hand-labelled articles (tests/data/entities_labelled.txt, scored by bench/entities.py)."""

from __future__ import annotations

from collections import Counter

import pytest
from berita_search.index.article import Article
from berita_search.index.entities import Entity, article_text, extract_entities, fold_name, tables
from berita_search.index.quotes import Quote, extract_quotes
from hypothesis import given
from hypothesis import strategies as st

from bench.entities import LABELS, draw, evaluate, locate_quotes, parse_labels, read_clickid
from tests.conftest import CLICKID_JSONL, require_shared

# The goals of the issue, on the held-out part.
ENTITY_GOAL = (0.9, 0.8)  # precision, recall
QUOTE_GOAL = (0.9, 0.75)
# What the rules reach today on the held-out part (bench/entities.py), less a small margin: a change
# that scores below these has made the extraction worse.
ENTITY_FLOOR = (0.75, 0.76)
QUOTE_FLOOR = (0.76, 0.72)


@pytest.fixture(scope="module")
def clickid() -> dict[str, Article]:
    require_shared()
    return {article.id: article for article in read_clickid(CLICKID_JSONL)}


def persons(entities: list[Entity]) -> dict[str, Entity]:
    return {e.canonical: e for e in entities if e.kind == "person"}


@pytest.mark.slow
def test_jokowi_and_joko_widodo_are_one_person(clickid: dict[str, Article]) -> None:
    # "Joko Widodo" in paragraphs 0 and 6, "Jokowi" in the title and in "Pak Jokowi" (paragraph 8).
    article = clickid["e829547bef9e1d97"]
    assert "Jokowi" in article.body and "Joko Widodo" in article.body
    people = persons(extract_entities(article.title, article.body))
    assert [name for name in people if "jokowi" in fold_name(name) or "joko" in fold_name(name)] == ["Joko Widodo"]
    text = article_text(article.title, article.body)
    written = [text[start:end] for start, end in people["Joko Widodo"].mentions]
    assert written.count("Joko Widodo") == 2
    assert written[0] == "Jokowi" and written[-1].endswith("Jokowi")  # the title and "Pak Jokowi"
    assert "Ma'ruf Amin" in people  # written "Maruf Amin": the alias table's form


@pytest.mark.slow
def test_laode_m_syarif_on_the_kpk_law(clickid: dict[str, Article]) -> None:
    # Kompas, 17 September 2019: the body calls him "Laode" only (his full name was a dropped link),
    # the title "Laode Syarif"; paragraph 2 is his quote on the revised KPK law.
    article = clickid["b39ebf956f41f4e5"]
    quotes = extract_quotes(article.title, article.body)
    on_the_law = [q for q in quotes if "UU KPK versi revisi akan melumpuhkan penindakan KPK" in q.text]
    assert len(on_the_law) == 1
    quote = on_the_law[0]
    assert (quote.kind, quote.paragraph, quote.speaker_canonical) == ("direct", 2, "Laode Muhammad Syarif")
    assert quote.speaker_as_written == "Laode"
    assert quote.text.startswith("Jika apa yang kami terima dari media adalah benar")
    assert " ".join(article.body[quote.start : quote.end].split()) == quote.text
    # "Menurut Laode, ..." in paragraph 3 is his too, as reported speech.
    reported = [q for q in quotes if q.paragraph == 3]
    assert [(q.kind, q.speaker_canonical) for q in reported] == [("indirect", "Laode Muhammad Syarif")]
    people = persons(extract_entities(article.title, article.body))
    assert "Laode Muhammad Syarif" in people and "Laode" not in people
    assert "Agus Rahardjo" in people and "Joko Widodo" in people


@pytest.mark.slow
def test_pronoun_and_surname_resolve_to_the_person_named_before(clickid: dict[str, Article]) -> None:
    # TNI and the Riau haze: "Panglima TNI Marsekal Hadi Tjahjanto mengatakan" (2), "kata Hadi" (3),
    # "ungkap Hadi" (5); then "Agus mengatakan" (9) and "kata dia" (10), who is Agus.
    article = clickid["72e67edbf0898afe"]
    by_paragraph = {(q.paragraph, q.kind): q for q in extract_quotes(article.title, article.body)}
    assert by_paragraph[(2, "indirect")].speaker_canonical == "Hadi Tjahjanto"
    assert by_paragraph[(3, "direct")].speaker_canonical == "Hadi Tjahjanto"
    assert by_paragraph[(3, "direct")].speaker_as_written == "Hadi"
    assert by_paragraph[(5, "direct")].speaker_canonical == "Hadi Tjahjanto"
    assert by_paragraph[(10, "direct")].speaker_canonical == "Agus"
    assert by_paragraph[(10, "direct")].speaker_as_written == "Agus"
    entities = extract_entities(article.title, article.body)
    kinds = {(e.kind, e.canonical) for e in entities}
    assert {
        ("person", "Tito Karnavian"),
        ("person", "Doni Monardo"),
        ("organisation", "Tentara Nasional Indonesia"),
        ("organisation", "Badan Nasional Penanggulangan Bencana"),
        ("place", "Riau"),
        ("place", "Jambi"),
        ("place", "Sumatera"),
    } <= kinds


@pytest.mark.slow
def test_speakers_behind_a_rank_a_description_a_pronoun_a_short_or_misspelt_name(clickid: dict[str, Article]) -> None:
    def quotes_of(article_id: str) -> dict[tuple[int, str], Quote]:
        article = clickid[article_id]
        return {(q.paragraph, q.kind): q for q in extract_quotes(article.title, article.body)}

    # Veronica Koman's case: "kata Irjen Pol. Luki Hermawan" (1), "ucap jenderal polisi bintang dua
    # tersebut" (3), though Veronica Koman is the last person named before that quote.
    quotes = quotes_of("785d17592f50bbe4")
    assert quotes[(1, "direct")].speaker_canonical == "Luki Hermawan"
    assert quotes[(3, "direct")].speaker_canonical == "Luki Hermawan"
    # "Wakil Ketua KPK Alexander Marwata" (6), then "kata Alex" (7, 10).
    quotes = quotes_of("76336df83e560f92")
    assert [quotes[(p, "direct")].speaker_as_written for p in (7, 10)] == ["Alex", "Alex"]
    assert {quotes[(p, "direct")].speaker_canonical for p in (7, 10)} == {"Alexander Marwata"}
    # "Erick juga menganggap Habibie Bapak Inovasi Teknologi Indonesia. '...,' tutur dia" (2), and
    # "imbuh dia" (3): the sentence's subject, not the last person it names.
    quotes = quotes_of("25ae1c45c8aab30d")
    assert [quotes[(p, "direct")].speaker_canonical for p in (1, 2, 3)] == ["Erick Thohir"] * 3
    # "Hary Sukmono", then "Harry mengatakan" (6): one letter off the only Hary of the article.
    quotes = quotes_of("dae708e53b61b0e5")
    assert quotes[(6, "indirect")].speaker_as_written == "Harry"
    assert quotes[(6, "indirect")].speaker_canonical == "Hary Sukmono"
    # "Kepala Bidang ... (BPBD) Provinsi Sumatera Selatan, Ansori mengharapkan ..." (6), then a
    # quote (7); "Wakil Ketua DPRD DKI sementara, Syarif menerima ... '...,' kata dia" (11): a single
    # name set off after a role is that person, not the one quoted before.
    assert quotes_of("5af968d51d251313")[(7, "direct")].speaker_canonical == "Ansori"
    assert quotes_of("b620855625ceb230")[(11, "direct")].speaker_canonical == "Syarif"
    # "Sekretaris TPKJM Kasihan, Siti Mulyani A.Md, Kep mengatakan": "Kep" is her degree.
    assert quotes_of("467c6a701e5e3d3a")[(11, "indirect")].speaker_canonical == "Siti Mulyani"
    article = clickid["467c6a701e5e3d3a"]
    assert "Kep" not in persons(extract_entities(article.title, article.body))


@pytest.mark.slow
def test_drama_roles_are_not_people_and_a_misspelt_name_is_the_person(clickid: dict[str, Article]) -> None:
    # A synopsis of STILL 17: "Woo Seo Ri (Shin Hye Sun)", "Yoo Chan (Ahn Hyo Seop)", "Gong Woo Jin
    # (Yang Se Jong)": the actors are people, the roles are not.
    article = clickid["28dec2fc2ab95b5e"]
    people = set(persons(extract_entities(article.title, article.body)))
    assert {"Shin Hye Sun", "Ahn Hyo Seop"} <= people
    assert not people & {"Woo Seo Ri", "Yoo Chan", "Gong Woo Jin"}
    # "Imam Nahrawi" in the title, "Iman Nahrawi" twice in the body: one person, spelt as the
    # alias table spells him, and the speaker of both reported quotes.
    article = clickid["840c7dbc6e12db20"]
    assert set(persons(extract_entities(article.title, article.body))) == {"Imam Nahrawi", "Joko Widodo"}
    speakers = [q.speaker_canonical for q in extract_quotes(article.title, article.body)]
    assert speakers == ["Imam Nahrawi", "Imam Nahrawi"]


@pytest.mark.slow
def test_a_portfolio_is_no_name_and_a_dormitory_no_place(clickid: dict[str, Article]) -> None:
    # "Peraturan Menteri Perhubungan tentang ...": the corpus's learnt names once held Perhubungan
    # as a person, read after "Menteri"; "di Asrama Mahasiswa Papua" is a building.
    article = clickid["96f2915ea79b7114"]
    assert set(persons(extract_entities(article.title, article.body))) == {"Muhammad Nasir"}
    article = clickid["785d17592f50bbe4"]
    places = {e.canonical for e in extract_entities(article.title, article.body) if e.kind == "place"}
    assert {"Australia", "Surabaya", "Jawa Timur"} <= places
    assert not any(place.startswith("Asrama") for place in places)


@pytest.mark.slow
def test_a_short_portfolio_and_a_lost_full_stop_are_not_names(clickid: dict[str, Article]) -> None:
    # "Menko Polhukam Wiranto": the portfolio written short, then the minister.
    article = clickid["5e1dd0de739fbc62"]
    names = set(persons(extract_entities(article.title, article.body)))
    assert "Wiranto" in names and not any("Polhukam" in name for name in names)
    # "... seperti dikutip ,Menurut Yusril, penyerahan mandat": a comma glued to the next
    # sentence, whose first word is no part of the name.
    article = clickid["7a70d48403111d3a"]
    assert set(persons(extract_entities(article.title, article.body))) == {"Joko Widodo", "Yusril Ihza Mahendra"}
    # A first word the corpus knows as a person's opens the name after a role.
    assert set(persons(extract_entities("", "Menko Luhut Binsar Pandjaitan datang ke Medan."))) == {
        "Luhut Binsar Pandjaitan"
    }


@pytest.mark.slow
def test_ke_before_a_person_and_short_titles_are_no_places_or_people(clickid: dict[str, Article]) -> None:
    # "setia ke Ainun", "ke makam Ainun" after "Hasri Ainun Besari": "ke" before a person.
    article = clickid["fbfabfadae6fdaec"]
    entities = {(e.kind, e.canonical) for e in extract_entities(article.title, article.body)}
    assert ("person", "Hasri Ainun Besari") in entities and ("place", "Ainun") not in entities
    # "Ketum Korpri: Saya Sangat Senang", "kantor Menpan": titles written short.
    article = clickid["76f8290c9e5e5023"]
    entities = {(e.kind, e.canonical) for e in extract_entities(article.title, article.body)}
    assert ("person", "Zudan Arif Fakrullah") in entities
    assert not {name for _kind, name in entities if name.startswith(("Ketum", "Menpan"))}


@pytest.mark.slow
def test_a_company_name_holds_a_building_word_and_a_regional_police_is_an_organisation(
    clickid: dict[str, Article],
) -> None:
    # "PT Sarana Menara Nusantara Tbk (TOWR)": "menara" (a tower) opens buildings' names, not
    # inside a company's; "PT Tower Bersama Infrastructure Tbk (TBIG)" likewise.
    article = clickid["295852dda48c6ceb"]
    organisations = {e.canonical for e in extract_entities(article.title, article.body) if e.kind == "organisation"}
    assert {"Sarana Menara Nusantara", "Tower Bersama Infrastructure"} <= organisations
    assert "Sarana" not in organisations
    # "Kepolisian Daerah Sumatera Selatan akan memeriksa ...": the force, not a place "Daerah".
    article = clickid["b25ea0d064957bcd"]
    entities = {(e.kind, e.canonical) for e in extract_entities(article.title, article.body)}
    assert ("organisation", "Kepolisian Daerah Sumatera Selatan") in entities
    assert ("place", "Daerah") not in entities
    # "Schneider Electric Indonesia": a company's arm in Indonesia has the country in its name.
    article = clickid["4b664f9600bdc584"]
    organisations = {e.canonical for e in extract_entities(article.title, article.body) if e.kind == "organisation"}
    assert "Schneider Electric Indonesia" in organisations


@pytest.mark.slow
def test_places_take_the_gazetteer_name(clickid: dict[str, Article]) -> None:
    # BMKG's forecast: "Badan Meteorologi, Klimatologi, dan Geofisika (BMKG)", "DKI Jakarta",
    # "Kota Tangerang", "Kota Bogor".
    article = clickid["31e150cb8390f066"]
    entities = {(e.kind, e.canonical) for e in extract_entities(article.title, article.body)}
    assert entities == {
        ("organisation", "Badan Meteorologi, Klimatologi, dan Geofisika"),
        ("place", "Jakarta"),
        ("place", "Kepulauan Seribu"),
        ("place", "Tangerang"),
        ("place", "Bekasi"),
        ("place", "Depok"),
        ("place", "Bogor"),
    }


@pytest.mark.slow
def test_mentions_are_the_names_as_written(clickid: dict[str, Article]) -> None:
    for article_id in ("e829547bef9e1d97", "72e67edbf0898afe", "b39ebf956f41f4e5"):
        article = clickid[article_id]
        text = article_text(article.title, article.body)
        for entity in extract_entities(article.title, article.body):
            assert entity.mentions == tuple(sorted(entity.mentions))
            for start, end in entity.mentions:
                written = text[start:end]
                assert written and written == written.strip() and "\n" not in written


@pytest.mark.slow
def test_labels_are_well_formed_and_drawn_as_documented(clickid: dict[str, Article]) -> None:
    labelled = parse_labels(LABELS)
    assert len(labelled) == 216
    parts = Counter((a.part, a.source) for a in labelled)
    # Per outlet: 6 held-out and 6 dev from the first draw, 6 more dev from each of two later ones.
    assert {source: count for (part, source), count in parts.items() if part == "heldout"} == dict.fromkeys(
        {a.source for a in labelled}, 6
    )
    assert {source: count for (part, source), count in parts.items() if part == "dev"} == dict.fromkeys(
        {a.source for a in labelled}, 18
    )
    assert len(parts) == 18
    drawn = {(article.id, part) for part, _outlet, article in draw(list(clickid.values()))}
    assert {(a.article_id, a.part) for a in labelled} == drawn
    for item in labelled:
        locate_quotes(item, clickid[item.article_id].body)  # every quote's anchor is in the body
        for quote in item.quotes:
            paragraph_of_span = clickid[item.article_id].body[: quote.span[0]].count("\n\n")
            assert paragraph_of_span == quote.paragraph


@pytest.fixture(scope="module")
def scores(clickid: dict[str, Article]):  # type: ignore[no-untyped-def]
    return evaluate(list(clickid.values()))


def _entity_totals(part_scores) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    predicted = sum(t.predicted for t in part_scores.entities.values())
    correct = sum(t.correct for t in part_scores.entities.values())
    gold = sum(t.gold for t in part_scores.entities.values())
    found = sum(t.found for t in part_scores.entities.values())
    return correct / predicted, found / gold


@pytest.mark.slow
def test_heldout_scores_do_not_fall(scores) -> None:  # type: ignore[no-untyped-def]
    precision, recall = _entity_totals(scores["heldout"])
    assert precision >= ENTITY_FLOOR[0] and recall >= ENTITY_FLOOR[1]
    quotes = scores["heldout"].quotes["all"]
    assert quotes.precision() >= QUOTE_FLOOR[0] and quotes.recall() >= QUOTE_FLOOR[1]


@pytest.mark.xfail(
    strict=True,
    reason="the rules do not reach the issue's goals yet: held-out entities 0.78 precision and 0.79 recall, "
    "quote-speaker pairs 0.80 and 0.76 (python -m bench.entities)",
)
@pytest.mark.slow
def test_heldout_scores_reach_the_goals(scores) -> None:  # type: ignore[no-untyped-def]
    precision, recall = _entity_totals(scores["heldout"])
    quotes = scores["heldout"].quotes["all"]
    assert precision >= ENTITY_GOAL[0] and recall >= ENTITY_GOAL[1]
    assert quotes.precision() >= QUOTE_GOAL[0] and quotes.recall() >= QUOTE_GOAL[1]


def test_data_tables_load() -> None:
    t = tables()
    assert t.aliases["Jokowi"] == ("person", "Joko Widodo")
    assert t.aliases["KPK"] == ("organisation", "Komisi Pemberantasan Korupsi")
    assert t.places["Kabupaten Bogor"] == "Bogor" and t.places["Jabar"] == "Jawa Barat"
    assert len({canonical for canonical in t.places.values()}) > 700


@given(st.text(max_size=40))
def test_fold_name_is_idempotent_and_ignores_case(name: str) -> None:
    folded = fold_name(name)
    assert fold_name(folded) == folded
    assert fold_name(name.upper()) == fold_name(name.lower()) or not name.isascii()


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    entities = extract_entities(text[:20], text)
    quotes = extract_quotes(text[:20], text)
    whole = article_text(text[:20], text)
    for entity in entities:
        assert entity.kind in ("person", "organisation", "place") and entity.canonical
        assert all(0 <= start < end <= len(whole) for start, end in entity.mentions)
    for quote in quotes:
        assert quote.kind in ("direct", "indirect") and 0 <= quote.start < quote.end <= len(text)
        assert " ".join(text[quote.start : quote.end].split()) == quote.text
