"""Indonesian (and English) news dates: day and month names, numeric forms, WIB/WITA/WIT."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")
ZONES = {"wib": WIB, "wita": WITA, "wit": WIT, "utc": UTC, "gmt": UTC, "z": UTC}

MONTHS = {
    # Indonesian
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "nopember": 11, "november": 11,
    "desember": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "december": 12,
    # Abbreviations used by both
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
    "ags": 8, "agus": 8, "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11,
    "nop": 11, "des": 12, "dec": 12,
}  # fmt: skip
MONTH_NAMES_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
DAY_NAMES_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
DAY_WORDS = {
    "senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",
}  # fmt: skip

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# Any day name, for patterns elsewhere that allow one before a date ('Kamis, 31 Agustus 2023').
DAY_PATTERN = "|".join(sorted((re.escape(d) for d in DAY_WORDS), key=len, reverse=True))
# The first Indonesian newspaper (Bataviasche Nouvelles) appeared in 1744: an earlier date is
# not a publication date, nor is one after tomorrow in Jakarta (WIB).
FIRST_PLAUSIBLE_DAY = date(1744, 1, 1)
MAX_ZONE_OFFSET = timedelta(hours=14)  # the widest offset in use (UTC+14, Kiribati)
# 12:34, 12.34, 23:15:00, optionally followed by a zone.
_TIME = re.compile(
    r"(?<![\d.:])(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)(?:[:.](?P<s>[0-5]\d))?(?![\d])"
    r"(?:\s*(?P<zone>WIB|WITA|WIT|UTC|GMT|Z)\b)?"
    r"(?:\s*(?P<offset>[+-]\d{2}:?\d{2}))?",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w])(?P<d>\d{{1,2}})(?:\s+|\s*[-/.]\s*)(?P<mon>{_MONTH_RE})\.?(?:\s+|\s*[-/.]\s*|,\s*)(?P<y>\d{{4}}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE
)
_NUMERIC_DMY = re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})[/.-](?P<mo>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?![\d/])")
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<mo>[01]?\d)(?:/(?P<d>[0-3]?\d))?/")
_EPOCH_PREFIX = re.compile(r"^(?P<ts>1[0-9]{9})(?!\d)")


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime  # timezone-aware
    has_time: bool


def _year(text: str) -> int:
    """'19' -> 2019, '85' -> 1985; a year written with four digits stays as written ('0001')."""
    y = int(text)
    if len(text) <= 2:
        y += 2000 if y < 70 else 1900
    return y


def _make(y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _find_day(text: str) -> date | None:
    for rx in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        m = rx.search(text)
        if m:
            mon = MONTHS[m.group("mon").lower()]
            return _make(_year(m.group("y")), mon, int(m.group("d")))
    m = _NUMERIC_DMY.search(text)
    if m:
        # Indonesian numeric dates are day first (31/08/2023).
        return _make(_year(m.group("y")), int(m.group("mo")), int(m.group("d")))
    return None


class _BadZone(ValueError):
    pass


def _zone(zone: str | None, offset: str | None, default: timezone) -> timezone:
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        delta = timedelta(hours=hours, minutes=minutes)
        if minutes > 59 or delta > MAX_ZONE_OFFSET:
            raise _BadZone(offset)  # '+24:00' is no zone: the date cannot be read
        return timezone(sign * delta)
    if zone:
        return ZONES[zone.lower()]
    return default


def parse_date(text: str, time_text: str = "", default_tz: timezone = WIB) -> ParsedDate | None:
    """Read a publication date such as 'KAMIS, 31 AGUSTUS 2023 | 12:34 WIB'.

    ``time_text`` is a separate time column ('13:30 WIB', '23:15:00') when the export has
    one. Returns None when no real calendar date can be read; a time without a date is not
    a date, and neither is a zone offset beyond 14 hours. Times with no zone are taken as
    WIB, the zone of most Indonesian newsrooms. Whether the date is plausible for a
    publication is ``plausible``'s question.
    """
    try:
        return _parse_date(text, time_text, default_tz)
    except _BadZone:
        return None


def _parse_date(text: str, time_text: str, default_tz: timezone) -> ParsedDate | None:
    text = (text or "").strip()
    time_text = (time_text or "").strip()
    if not text or text in {"-", "--", "?"}:
        return None
    day: date | None = None
    hour = minute = second = None
    tz = default_tz
    iso = _ISO.search(text)
    if iso:
        day = _make(int(iso.group("y")), int(iso.group("mo")), int(iso.group("d")))
        if day is None:
            return None
        if iso.group("h") is not None:
            hour, minute, second = int(iso.group("h")), int(iso.group("mi")), int(iso.group("s") or 0)
            if hour > 23 or minute > 59:
                return None
            if iso.group("tz"):
                tz = _zone(None, None, UTC) if iso.group("tz") == "Z" else _zone(None, iso.group("tz"), tz)
        rest = text[iso.end() :]
    else:
        day = _find_day(text)
        if day is None:
            return None
        rest = text
    # A midnight time from a spreadsheet date cell carries no information.
    if iso is not None and hour == 0 and minute == 0 and second == 0 and not iso.group("tz"):
        hour = minute = second = None
    for source in (time_text, rest if hour is None else ""):
        m = _TIME.search(source)
        if m:
            hour, minute, second = int(m.group("h")), int(m.group("m")), int(m.group("s") or 0)
            tz = _zone(m.group("zone"), m.group("offset"), tz)
            break
    if hour is None:
        zm = re.search(r"\b(WIB|WITA|WIT)\b", text + " " + time_text, re.IGNORECASE)
        if zm:
            tz = ZONES[zm.group(1).lower()]
        return ParsedDate(datetime(day.year, day.month, day.day, tzinfo=tz), has_time=False)
    return ParsedDate(datetime(day.year, day.month, day.day, hour, minute or 0, second or 0, tzinfo=tz), has_time=True)


def url_date(url: str) -> date | None:
    """The /YYYY/MM/DD/ date many Indonesian sites put in article URLs."""
    m = _URL_DATE.search(url or "")
    if not m or not m.group("d"):
        return None
    return _make(int(m.group("y")), int(m.group("mo")), int(m.group("d")))


def epoch_date(text: str) -> ParsedDate | None:
    """A Unix timestamp leading an id such as '1490674536-mustahil-...'."""
    m = _EPOCH_PREFIX.match(text or "")
    if not m:
        return None
    return ParsedDate(datetime.fromtimestamp(int(m.group("ts")), WIB), has_time=True)


# date_note texts: shown to readers on the web, so in Bahasa Indonesia.
NOTE_NO_DATE = "tidak ada tanggal"
NOTE_NO_DATE_LINE = "baris tanggal tidak ditemukan"
NOTE_KEPT_UNDATED = "disimpan tanpa tanggal"
NOTE_FROM_URL = "tanggal diambil dari URL"


def note_unreadable(text: str) -> str:
    return f"tanggal tidak terbaca: {text[:40]!r}"


def note_implausible(day: date, where: str = "") -> str:
    return f"tanggal{where} tidak masuk akal: {day.isoformat()}"


def plausible(day: date) -> bool:
    """A day an Indonesian newspaper can have been published on: from 1744 to tomorrow in Jakarta."""
    return FIRST_PLAUSIBLE_DAY <= day <= datetime.now(WIB).date() + timedelta(days=1)


def reconcile_with_url(parsed: ParsedDate | None, url: str) -> tuple[ParsedDate | None, str]:
    """Prefer the URL's day where the field disagrees with it (Excel day/month swaps).

    Returns the date to keep and a note saying what was done, empty when nothing was. An
    implausible URL date (/2099/12/31/) is not used, and the note says so.
    """
    from_url = url_date(url)
    if from_url is None:
        return parsed, ""
    if not plausible(from_url):
        return parsed, note_implausible(from_url, " di URL")
    if parsed is None:
        value = datetime(from_url.year, from_url.month, from_url.day, tzinfo=WIB)
        return ParsedDate(value, has_time=False), NOTE_FROM_URL
    if parsed.value.date() == from_url:
        return parsed, ""
    swapped = parsed.value.day == from_url.month and parsed.value.month == from_url.day
    finding = "hari dan bulan tertukar" if swapped else "tanggal berbeda dengan URL"
    fixed = parsed.value.replace(year=from_url.year, month=from_url.month, day=from_url.day)
    return ParsedDate(fixed, parsed.has_time), f"{finding}; {NOTE_FROM_URL}"


def publication_date(
    parsed: ParsedDate | None, findings: list[str], url: str = "", missing: str = NOTE_NO_DATE
) -> tuple[ParsedDate | None, str]:
    """The date an article keeps and its date_note, from the date read from the source (or
    None), what was found wrong with it so far, and the article's URL.

    An implausible date is dropped, never guessed at: the article is kept without a date and
    the note says why ('tanggal tidak masuk akal: 9999-12-31; disimpan tanpa tanggal').
    """
    findings = list(findings)
    if parsed is not None and not plausible(parsed.value.date()):
        findings.append(note_implausible(parsed.value.date()))
        parsed = None
    if url:
        parsed, url_note = reconcile_with_url(parsed, url)
        if url_note:
            findings.append(url_note)
    if parsed is None:
        findings.extend([missing] if not findings else [])
        findings.append(NOTE_KEPT_UNDATED)
    return parsed, "; ".join(findings)


def format_id(value: datetime | None, has_time: bool = True) -> str:
    """'Kamis, 31 Agustus 2023 12:34 WIB', the way Indonesian readers write dates."""
    if value is None:
        return "tanpa tanggal"
    text = f"{DAY_NAMES_ID[value.weekday()]}, {value.day} {MONTH_NAMES_ID[value.month - 1]} {value.year}"
    if has_time:
        zone = value.tzname() or ""
        if zone not in ("WIB", "WITA", "WIT"):
            zone = {7: "WIB", 8: "WITA", 9: "WIT"}.get(int(value.utcoffset().total_seconds() // 3600), zone)  # type: ignore[union-attr]
        text += f" {value:%H:%M} {zone}".rstrip()
    return text
