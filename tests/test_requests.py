"""Request validation, in one place for the CLI, the web and the API: errors carry a message
code that each front-end renders in its language, and a reversed date range is put in order."""

from __future__ import annotations

from datetime import date

import pytest
from berita_search.search.messages import CATALOGUE
from berita_search.search.requests import MAX_LIMIT, MAX_PAGE, RequestError, SearchRequest, request_from_params
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"page": "0"}, "page_range"),
        ({"page": str(MAX_PAGE + 1)}, "page_range"),
        ({"page": "dua"}, "page_range"),
        ({"limit": "0"}, "limit_range"),
        ({"limit": "1e3"}, "limit_range"),
        ({"sort": "acak"}, "sort_unknown"),
        ({"sort": ""}, "sort_unknown"),
        ({"page": ""}, "page_range"),
        ({"page": " 2"}, "page_range"),
        ({"collapse": ""}, "collapse_invalid"),
        ({"collapse": "true"}, "collapse_invalid"),
        ({"collapse": "maybe"}, "collapse_invalid"),
        ({"from": "2019-09-31"}, "date_unreadable_from"),
        ({"to": "kemarin"}, "date_unreadable_to"),
        ({"reporter": "x" * 201}, "text_too_long"),
        ({"q": "a" * 501}, "text_too_long"),
    ],
)
def test_bad_parameters_raise_a_coded_message(params: dict[str, str], code: str) -> None:
    with pytest.raises(RequestError) as caught:
        request_from_params({"q": "banjir", **params})
    message = caught.value.message
    assert message.code == code
    indonesian, english = message.text("id"), message.text("en")
    assert indonesian != english and indonesian and english
    # The form's date fields are named in Indonesian on the web; the CLI names its options.
    if code == "date_unreadable_from":
        assert "“Dari”" in indonesian and "2019-09-31" in indonesian
        assert "--from" in english and "from" not in indonesian.replace("“Dari”", "")
    assert str(caught.value) == english


def test_typed_requests_are_checked_the_same_way() -> None:
    for bad, code in (
        ({"limit": MAX_LIMIT + 1}, "limit_range"),
        ({"page": 0}, "page_range"),
        ({"sort": "x"}, "sort_unknown"),
        ({"date_to": "2019-02-30"}, "date_unreadable_to"),
    ):
        with pytest.raises(RequestError) as caught:
            SearchRequest(q="banjir", **bad).validate()  # type: ignore[arg-type]
        assert caught.value.message.code == code


def test_a_reversed_range_is_put_in_order_with_a_note() -> None:
    request = request_from_params({"q": "banjir", "from": "2019-09-10", "to": "2019-09-01"})
    assert (request.date_from, request.date_to) == ("2019-09-01", "2019-09-10")
    (note,) = request.notes
    assert note.code == "date_range_reversed"
    assert "2019-09-01" in note.text("id") and "2019-09-10" in note.text("en")
    # Validating again changes nothing more.
    request.validate()
    assert (request.date_from, request.date_to, len(request.notes)) == ("2019-09-01", "2019-09-10", 1)
    # A month and a day inside it overlap: not reversed.
    within = request_from_params({"q": "banjir", "from": "2019-09-10", "to": "2019-09"})
    assert (within.date_from, within.date_to, within.notes) == ("2019-09-10", "2019-09", ())


DAYS = st.dates(min_value=date(1744, 1, 1), max_value=date(2099, 12, 31))


@given(a=DAYS, b=DAYS)
def test_any_two_days_make_an_ordered_range(a: date, b: date) -> None:
    request = SearchRequest(q="x", date_from=a.isoformat(), date_to=b.isoformat())
    request.validate()
    assert request.date_from is not None and request.date_to is not None
    assert request.date_from <= request.date_to
    assert bool(request.notes) == (a > b)


@pytest.mark.parametrize(
    "value", ["9999-12-31", "31/12/9999", "0000", "2100-01-01", "1743-12", "2019-9", "2019-09-01\n"]
)
def test_dates_outside_the_calendar_or_the_form_are_refused_cleanly(value: str) -> None:
    with pytest.raises(RequestError) as caught:
        request_from_params({"q": "banjir", "from": value})
    assert caught.value.message.code == "date_unreadable_from"


def test_every_code_has_both_languages() -> None:
    for code, texts in CATALOGUE.items():
        assert set(texts) == {"id", "en"}, code
