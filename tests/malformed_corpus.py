"""A malformed-input corpus (issue 19: bad input never poisons the warehouse).

`write_corpus(raw_dir)` writes dump files of the three sources under `raw_dir` and
returns, for every line it writes, the outcome the landing rules give that line. Each
outcome is written down by hand, next to the line, from the rules (CONTRACT.md §2, §5,
docs/raw_formats.md and the rules of issue 19), never computed by running the models.
Every bad line carries exactly one fault; valid lines of every shape are interleaved
with them. Everything is deterministic: the same call writes the same bytes.

The files, in landing order (name order within a source):

- ``<source>/corpus-a.jsonl``: valid lines with the bad cases interleaved, then exact
  repeats (``duplicate``); ``esputnik/resent-corpus-a.jsonl`` is the same bytes again, a
  repeated file that lands no line at all;
- ``usercom/corpus-b.jsonl.gz``: a gzip dump, with repeats of lines of corpus-a;
- ``esputnik/corpus-b-truncated.jsonl.gz``: a gzip stream cut in the middle: its complete
  lines land, the partial last one is not a line;
- ``insend/corpus-b-crlf.jsonl``: CRLF line ends;
- ``<source>/corpus-c-encoding.jsonl``: lines with invalid UTF-8 bytes between valid ones;
- ``usercom/corpus-d-bom.jsonl``, ``insend/corpus-d-bom.jsonl``: a UTF-8 BOM first (the
  usercom one without a final newline).

Every email and phone number the corpus writes is in `EMAILS` / `PHONES`.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import cycle, islice, product
from pathlib import Path

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
BOM = b"\xef\xbb\xbf"

EMAILS = (
    "Anna.Smith@Example.com",
    "jan.kowalski@example.org",
    "olga.petrenko@example.com",
    "support.desk@example.org",
    "mike+shop@example.com",
    "Lena.Novak@Example.org",
    "guest.buyer@example.com",
    "press.office@example.org",
)
# fictional ranges: Ofcom's drama numbers (020 7946 0xxx), US 555-01xx
PHONES = (
    "+48 600 700 800",
    "+44 20 7946 0958",
    "+380 50 111 2233",
    "380501112244",
    "+1-202-555-0143",
    "+1 (202) 555-0178",
    "+44 20 7946 0011",
)

PRODUCTS = ("SKU-100", "SKU-200", "MUG-7", "WS01-L-Green", "TEE-42", "BAG-9")
CATEGORIES = ("Shoes", "Mugs", "Shirts", "Bags")
# seed 001, in ID order (1-16)
# fmt: off
USERCOM_EVENT_TYPES = (
    "add to cart", "purchase", "liking", "add to observation", "order", "reservation",
    "return", "view", "click", "detail", "add", "remove", "checkout", "checkout option",
    "refund", "promo click",
)
# fmt: on


@dataclass(frozen=True)
class Expected:
    """The outcome of one landed line, as the rules give it."""

    raw_file: str  # relative to raw_dir, posix
    raw_line_no: int
    outcome: str  # accepted | duplicate | rejected
    reason_code: str | None
    case: str
    occurred_at: datetime | None = None  # UTC, naive: the fact's time, where hand-known
    client_time_trusted: bool | None = None


@dataclass(frozen=True)
class Line:
    """One line to write (without its line end) and its expected verdict."""

    content: bytes
    case: str
    outcome: str = ACCEPTED
    reason_code: str | None = None
    occurred_at: datetime | None = None
    client_time_trusted: bool | None = None


@dataclass(frozen=True)
class Dump:
    """One dump file: its lines, and how they are written."""

    name: str
    lines: list[Line] = field(default_factory=list)
    line_end: bytes = b"\n"
    bom: bool = False
    final_newline: bool = True
    packed: bytes | None = None  # the file's bytes, when not the lines as written
    copy_of: str | None = None  # the same bytes as this file of the source: lands nothing

    def content(self) -> bytes:
        if self.packed is not None:
            return self.packed
        data = (BOM if self.bom else b"") + self.line_end.join(line.content for line in self.lines)
        data += self.line_end if self.final_newline else b""
        return gzip.compress(data, compresslevel=9, mtime=0) if self.name.endswith(".gz") else data


# ---------------------------------------------------------------------------- JSON text

_RAW = re.compile(r'"@@raw:([-+.\w]+)@@"')


def raw(token: str) -> str:
    """A JSON token written as is, not quoted: NaN, Infinity, 1e309."""
    return f"@@raw:{token}@@"


def dumps(value: object) -> str:
    """Compact JSON text, UTF-8 kept as is, with raw() tokens unquoted."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return _RAW.sub(lambda m: m.group(1), text)


def ok(value: object, case: str, **expected: object) -> Line:
    """A valid line: accepted."""
    return Line(dumps(value).encode(), case, **expected)  # type: ignore[arg-type]


def bad(value: object, case: str, reason: str) -> Line:
    """A rejected line; `value` is a JSON value, or a str written as is."""
    text = value if isinstance(value, str) else dumps(value)
    return Line(text.encode(), case, REJECTED, reason)


def again(line: Line, case: str, pad: bytes = b"") -> Line:
    """A repeat of an earlier line (optionally with surrounding spaces): a duplicate."""
    return Line(pad + line.content + pad, case, DUPLICATE, "duplicate_delivery")


def bad_bytes(value: object, invalid: bytes, case: str) -> Line:
    """`value` as JSON with the marker text @@BYTES@@ replaced by invalid UTF-8."""
    content = dumps(value).encode().replace(b"@@BYTES@@", invalid)
    assert content.count(invalid) == 1, case
    return Line(content, case, REJECTED, "invalid_encoding")


# ---------------------------------------------------------------------------- time


class Clock:
    """Successive receive times of one source, spread over 2026-03-01..07."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.now, self.step = start, step

    def tick(self) -> datetime:
        self.now += self.step
        return self.now


def stamp(at: datetime, style: int) -> str | int:
    """`at` in one of the contract's timestamp forms, picked by `style` (any int)."""
    match style % 8:
        case 0:
            return at.strftime("%Y-%m-%dT%H:%M:%SZ")
        case 1:
            return (at + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        case 2:
            return (at - timedelta(hours=3, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S-03:30")
        case 3:
            return int(at.timestamp())
        case 4:
            return int(at.timestamp()) * 1000
        case 5:
            return str(int(at.timestamp()))
        case 6:
            return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        case _:
            return str(int(at.timestamp()) * 1000)


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


ABSENT = object()  # a field left out

# Values that make any received_at invalid.
BAD_RECEIVED_AT: tuple[tuple[str, object], ...] = (
    ("received_at_missing", ABSENT),
    ("received_at_null", None),
    ("received_at_empty_string", ""),
    ("received_at_word_yesterday", "yesterday"),
    ("received_at_word_epoch", "epoch"),
    ("received_at_word_infinity", "infinity"),
    ("received_at_word_nan", "NaN"),
    ("received_at_nan", raw("NaN")),
    ("received_at_infinity", raw("Infinity")),
    ("received_at_minus_infinity", raw("-Infinity")),
    ("received_at_overflow_1e309", raw("1e309")),
    ("received_at_offset_plus_25", "2026-03-02T10:00:00+25:00"),
    ("received_at_offset_plus_14_30", "2026-03-02T10:00:00+14:30"),
    ("received_at_offset_minus_15", "2026-03-02T10:00:00-15:00"),
    ("received_at_epoch_zero", 0),
    ("received_at_negative_epoch", -60),
    ("received_at_before_2000_iso", "1999-12-31T23:59:59Z"),
    ("received_at_before_2000_epoch", 946684799),
    ("received_at_year_2999", "2999-01-01T00:00:00Z"),
    ("received_at_year_9999", "9999-12-31T23:59:59Z"),
    ("received_at_year_2999_epoch_ms", 32472144000000),
    ("received_at_object", {"ts": 1772359200}),
    ("received_at_list", [1772359200]),
    ("received_at_boolean", True),
)

# received_at forms at the edges that are still valid
GOOD_RECEIVED_AT_EDGES: tuple[tuple[str, str], ...] = (
    ("received_at_offset_plus_14", "2026-03-03T20:00:00+14:00"),
    ("received_at_offset_minus_14", "2026-03-02T16:00:00-14:00"),
    ("received_at_offset_minus_12", "2026-03-02T18:30:00-12:00"),
    ("received_at_offset_plus_05_45", "2026-03-03T11:45:00+05:45"),
)


def with_received_at(event: dict, value: object) -> dict:
    """The event with received_at replaced, or left out (ABSENT)."""
    event = dict(event)
    if value is ABSENT:
        event.pop("received_at")
    else:
        event["received_at"] = value
    return event


# Scalars that are not ids: an object, a list, a boolean.
NON_SCALAR_IDS: tuple[tuple[str, object], ...] = (
    ("object", {"id": "x-1"}),
    ("list", ["x-1"]),
    ("boolean", True),
)

NON_FINITE: tuple[tuple[str, str], ...] = (
    ("nan", raw("NaN")),
    ("infinity", raw("Infinity")),
    ("minus_infinity", raw("-Infinity")),
    ("overflow_1e309", raw("1e309")),
)

INVALID_UTF8: tuple[tuple[str, bytes], ...] = (
    ("byte_ff", b"\xff"),
    ("bad_continuation", b"\xc3\x28"),
    ("surrogate", b"\xed\xa0\x80"),
    ("overlong_slash", b"\xc0\xaf"),
    ("lone_continuation", b"\x80"),
    ("cut_multibyte", b"\xe2\x82"),
)

BLANK_LINES: tuple[tuple[str, bytes], ...] = (
    ("empty", b""),
    ("spaces", b"   "),
    ("tab", b"\t"),
    ("tab_space_cr", b"\t \r"),
    ("space_tab_space", b" \t "),
)


def blank(content: bytes, case: str) -> Line:
    return Line(content, case, REJECTED, "empty_line")


def interleave(valid: list[Line], bad_lines: list[Line]) -> list[Line]:
    """The bad lines spread evenly among the valid ones (order within each kept)."""
    out: list[Line] = []
    step = max(1, len(valid) // max(1, len(bad_lines)))
    pending = iter(bad_lines)
    for n, line in enumerate(valid):
        out.append(line)
        if n % step == step - 1:
            out.extend(islice(pending, 1))
    out.extend(pending)
    return out


# ---------------------------------------------------------------------------- usercom


def usercom_event(
    received: object,
    user_id: object,
    data: object,
    *,
    method: str = "product_event",
    sent_at: object = None,
) -> dict:
    event: dict = {"received_at": received}
    if sent_at is not None:
        event["sent_at"] = sent_at
    event |= {"user_id": user_id, "method": method, "data": data}
    return event


def usercom_spelling(n: int) -> object:
    """The n-th event type in one of its accepted spellings (name, ID, padded, ...)."""
    name = USERCOM_EVENT_TYPES[n % 16]
    match (n // 16) % 5:
        case 0:
            return name
        case 1:
            return name.upper()
        case 2:
            return f"  {name.title()} "
        case 3:
            return n % 16 + 1
        case _:
            return str(n % 16 + 1)


def usercom_valid(clock: Clock) -> list[Line]:
    """Journeys (view, add to cart, purchase), every event type, site events."""
    lines: list[Line] = []
    contacts: tuple[object, ...] = ("u-1001", "u-1002", "u-1003", "u-1004", 5005, "u-1006")
    currencies = cycle(("USD", "EUR", "PLN", "eur", " usd ", ""))
    for n, (contact, sku) in enumerate(product(contacts, PRODUCTS[:4])):
        price = round(9.99 + 7.5 * (n % 7), 2)
        steps = (
            (
                "view",
                {
                    "name": f"Product {sku}",
                    "price": price,
                    "category": CATEGORIES[n % 4],
                    "url": f"https://shop.example.com/p/{sku}",
                    "colour": "green",
                },
            ),
            ("add to cart", {"quantity": 1 + n % 3, "price": price, "currency": next(currencies)}),
            (
                "purchase",
                {
                    "quantity": 1 + n % 3,
                    "price": price,
                    "order_id": f"o-{n}",
                    "currency": next(currencies),
                },
            ),
        )
        for step, (event_type, fields) in enumerate(steps):
            at = clock.tick()
            sent_at = stamp(at - timedelta(seconds=3), n + step) if (n + step) % 2 else None
            data = {"product_id": sku, "event_type": event_type, **fields}
            lines.append(
                ok(
                    usercom_event(stamp(at, n), contact, data, sent_at=sent_at),
                    f"usercom_journey_{event_type.replace(' ', '_')}",
                )
            )
    for n in range(80):
        at = clock.tick()
        data = {"product_id": PRODUCTS[n % 6], "event_type": usercom_spelling(n)}
        if n % 4 == 0:
            data["image_url"] = f"https://cdn.example.com/{PRODUCTS[n % 6]}.jpg"
        lines.append(
            ok(
                usercom_event(stamp(at, n + 3), contacts[n % 6], data),
                f"usercom_event_type_{USERCOM_EVENT_TYPES[n % 16].replace(' ', '_')}",
            )
        )
    for n in range(24):
        at = clock.tick()
        method = ("event", "page_view", "identify")[n % 3]
        data = {"name": ("newsletter_signup", "search", "scroll")[n % 3], "page": f"/p/{n}"}
        lines.append(
            ok(
                usercom_event(stamp(at, n + 5), contacts[n % 6], data, method=method),
                f"usercom_site_event_{method}",
            )
        )
    specials = (
        ("usercom_numeric_product_id", {"product_id": 123, "event_type": "view"}),
        ("usercom_price_zero", {"product_id": "SKU-200", "event_type": "view", "price": 0}),
        (
            "usercom_currency_lower",
            {"product_id": "SKU-100", "event_type": 1, "price": 5, "currency": "eur"},
        ),
        (
            "usercom_currency_padded",
            {"product_id": "SKU-100", "event_type": 1, "price": 5, "currency": " usd "},
        ),
        (
            "usercom_currency_empty",
            {"product_id": "SKU-100", "event_type": 1, "price": 5, "currency": ""},
        ),
        (
            "usercom_unicode_name",
            {"product_id": "TEE-42", "event_type": "view", "name": "Café ✓ Кава €"},
        ),
    )
    for n, (case, data) in enumerate(specials):
        lines.append(ok(usercom_event(iso(clock.tick()), f"u-special-{n}", data), case))
    for n, (case, received) in enumerate(GOOD_RECEIVED_AT_EDGES):
        data = {"product_id": PRODUCTS[n], "event_type": "view"}
        lines.append(ok(usercom_event(received, f"u-edge-{n}", data), f"usercom_{case}"))
    return lines


def _time_case(
    case: str, received: object, sent: object, occurred: str, trusted: bool, n: int
) -> Line:
    """A User.com view whose fact time is hand-known: `occurred` (UTC, ISO)."""
    data = {"product_id": PRODUCTS[n % 6], "event_type": "view"}
    event = usercom_event(received, f"u-time-{n}", data, sent_at=sent)
    return ok(
        event, case, occurred_at=datetime.fromisoformat(occurred), client_time_trusted=trusted
    )


# (case, received_at, sent_at, the fact's occurred_at (UTC), client time trusted)
# fmt: off
USERCOM_TIME_CASES: tuple[tuple[str, object, object, str, bool], ...] = (
    ("sent_at_iso_before",          "2026-03-02T09:00:00Z", "2026-03-02T08:59:58Z",
     "2026-03-02T08:59:58", True),
    ("sent_at_epoch_seconds",       "2026-03-02T09:10:00Z", 1772442595,  # 09:09:55Z
     "2026-03-02T09:09:55", True),
    ("sent_at_epoch_ms",            "2026-03-02T09:20:00Z", 1772443195000,  # 09:19:55Z
     "2026-03-02T09:19:55", True),
    ("sent_at_digit_string",        "2026-03-02T09:30:00Z", "1772443795",  # 09:29:55Z
     "2026-03-02T09:29:55", True),
    ("sent_at_offset_plus_05_30",   "2026-03-02T09:40:00Z", "2026-03-02T15:09:50+05:30",
     "2026-03-02T09:39:50", True),
    ("sent_at_one_hour_ahead",      "2026-03-02T09:50:00Z", "2026-03-02T10:50:00Z",
     "2026-03-02T10:50:00", True),
    ("sent_at_one_day_ahead",       "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z",
     "2026-03-03T10:00:00", True),
    ("sent_at_one_day_ahead_epoch", "2026-03-02T10:10:00Z", 1772532600,  # 03-03 10:10:00Z
     "2026-03-03T10:10:00", True),
    ("sent_at_2000_01_01",          "2026-03-02T10:20:00Z", "2000-01-01T00:00:00Z",
     "2000-01-01T00:00:00", True),
    ("sent_at_2000_01_01_epoch",    "2026-03-02T10:25:00Z", 946684800,
     "2000-01-01T00:00:00", True),
    ("sent_at_received_at_offset",  "2026-03-02T18:30:00+08:00", "2026-03-02T10:29:00Z",
     "2026-03-02T10:29:00", True),
    ("sent_at_six_days_ahead",      "2026-03-02T11:00:00Z", "2026-03-08T11:00:00Z",
     "2026-03-02T11:00:00", False),
    ("sent_at_day_and_second_ahead", "2026-03-02T11:10:00Z", "2026-03-03T11:10:01Z",
     "2026-03-02T11:10:00", False),
    ("sent_at_year_9999",           "2026-03-02T11:20:00Z", "9999-12-31T00:00:00Z",
     "2026-03-02T11:20:00", False),
    ("sent_at_year_2999",           "2026-03-02T11:25:00Z", "2999-06-01T00:00:00Z",
     "2026-03-02T11:25:00", False),
    ("sent_at_epoch_zero",          "2026-03-02T11:30:00Z", 0,
     "2026-03-02T11:30:00", False),
    ("sent_at_1970_iso",            "2026-03-02T11:40:00Z", "1970-01-01T00:00:00Z",
     "2026-03-02T11:40:00", False),
    ("sent_at_before_2000_epoch",   "2026-03-02T11:50:00Z", 946684799,  # 1999-12-31 23:59:59Z
     "2026-03-02T11:50:00", False),
    ("sent_at_before_2000_iso",     "2026-03-02T12:00:00Z", "1999-12-31T23:59:59Z",
     "2026-03-02T12:00:00", False),
    ("sent_at_six_days_ahead_ms",   "2026-03-02T12:10:00Z", 1772971800000,  # 03-08 12:10:00Z
     "2026-03-02T12:10:00", False),
    ("sent_at_ahead_of_epoch_received_at", 1772454000,  # 2026-03-02 12:20:00Z
     "2026-03-08T12:20:00Z", "2026-03-02T12:20:00", False),
)
# fmt: on

# sent_at present but not a timestamp: the line is rejected
USERCOM_BAD_SENT_AT: tuple[tuple[str, object], ...] = (
    ("sent_at_word", "soon"),
    ("sent_at_word_epoch", "epoch"),
    ("sent_at_not_a_date", "2026-13-45T99:00:00Z"),
    ("sent_at_nan", raw("NaN")),
    ("sent_at_infinity", raw("Infinity")),
    ("sent_at_minus_infinity", raw("-Infinity")),
    ("sent_at_overflow_1e309", raw("1e309")),
    ("sent_at_object", {"ts": 1772359200}),
    ("sent_at_list", [1772359200]),
    ("sent_at_boolean", True),
    ("sent_at_offset_plus_15", "2026-03-02T10:00:00+15:00"),
    ("sent_at_offset_minus_14_30", "2026-03-02T10:00:00-14:30"),
)


def usercom_bad(clock: Clock) -> list[Line]:
    """One fault per line; contacts u-bad-<n> keep every line distinct."""
    serial = iter(range(10_000))

    def view(**data: object) -> dict:
        n = next(serial)
        fields = {"product_id": PRODUCTS[n % 6], "event_type": "view", **data}
        return usercom_event(iso(clock.tick()), f"u-bad-{n}", fields)

    def purchase(**data: object) -> dict:
        n = next(serial)
        fields = {
            "product_id": PRODUCTS[n % 6],
            "event_type": "purchase",
            "price": 10,
            "quantity": 1,
            "order_id": f"ob-{n}",
            **data,
        }
        return usercom_event(iso(clock.tick()), f"u-bad-{n}", fields)

    lines = [blank(content, f"usercom_blank_{case}") for case, content in BLANK_LINES]
    lines += [
        bad("not json at all", "usercom_not_json", "invalid_json"),
        bad(
            '{"received_at":"2026-03-02T10:00:00Z","user_id":"u-x"',
            "usercom_cut_object",
            "invalid_json",
        ),
        bad("[1, 2, 3]", "usercom_json_array", "invalid_json"),
        bad("42", "usercom_json_number", "invalid_json"),
        bad("null", "usercom_json_null", "invalid_json"),
        bad('"a string"', "usercom_json_string", "invalid_json"),
        bad("{'received_at': 'single quotes'}", "usercom_single_quotes", "invalid_json"),
    ]
    for case, value in BAD_RECEIVED_AT:
        lines.append(bad(with_received_at(view(), value), f"usercom_{case}", "invalid_timestamp"))
    for case, value in USERCOM_BAD_SENT_AT:
        event = view()
        event = {"received_at": event.pop("received_at"), "sent_at": value, **event}
        lines.append(bad(event, f"usercom_{case}", "invalid_timestamp"))
    for case, mutate in (
        ("missing", lambda e: e.pop("user_id")),
        ("null", lambda e: e.update(user_id=None)),
        ("empty", lambda e: e.update(user_id="")),
        ("spaces", lambda e: e.update(user_id="   ")),
    ):
        event = view()
        mutate(event)
        lines.append(bad(event, f"usercom_user_id_{case}", "missing_contact"))
    for case, value in NON_SCALAR_IDS:
        lines.append(
            bad({**view(), "user_id": value}, f"usercom_user_id_{case}", "invalid_identifier")
        )
        lines.append(
            bad(view(product_id=value), f"usercom_product_id_{case}", "invalid_identifier")
        )
    for case, mutate in (
        ("method_missing", lambda e: e.pop("method")),
        ("data_missing", lambda e: e.pop("data")),
        ("data_null", lambda e: e.update(data=None)),
        ("data_string", lambda e: e.update(data="product SKU-100")),
        ("data_list", lambda e: e.update(data=[{"product_id": "SKU-100"}])),
        ("product_id_missing", lambda e: e["data"].pop("product_id")),
        ("product_id_empty", lambda e: e["data"].update(product_id="")),
        ("product_id_null", lambda e: e["data"].update(product_id=None)),
        ("event_type_missing", lambda e: e["data"].pop("event_type")),
    ):
        event = view()
        mutate(event)
        lines.append(bad(event, f"usercom_{case}", "missing_required_field"))
    for case, value in (
        ("word", "teleport"),
        ("id_0", 0),
        ("id_17", 17),
        ("id_text_99", "99"),
        ("fraction", "8.5"),
        ("hyphenated", "add-to-cart"),
    ):
        lines.append(
            bad(view(event_type=value), f"usercom_event_type_{case}", "unknown_event_type")
        )
    for case, value in (*NON_FINITE, ("negative", -1), ("text", "cheap")):
        lines.append(bad(purchase(price=value), f"usercom_price_{case}", "invalid_price"))
    for case, value in (*NON_FINITE, ("zero", 0), ("negative", -2), ("text", "two")):
        lines.append(bad(purchase(quantity=value), f"usercom_quantity_{case}", "invalid_quantity"))
    for case, value in (("EURO", "EURO"), ("E1R", "E1R"), ("euro_sign", "€"), ("US", "US")):
        lines.append(bad(purchase(currency=value), f"usercom_currency_{case}", "invalid_currency"))
    return lines


def usercom_pii(clock: Clock) -> list[Line]:
    """Otherwise valid lines that carry emails and phones in every field they can."""
    sku = cycle(PRODUCTS)

    def event(user_id: object, data: dict, method: str = "product_event", case: str = "") -> Line:
        return ok(usercom_event(iso(clock.tick()), user_id, data, method=method), case)

    return [
        event(EMAILS[0], {"product_id": next(sku), "event_type": "view"}, case="pii_user_id_email"),
        event(
            EMAILS[0],
            {"product_id": next(sku), "event_type": "add to cart", "price": 12, "quantity": 1},
            case="pii_user_id_email_cart",
        ),
        event(PHONES[0], {"product_id": next(sku), "event_type": "view"}, case="pii_user_id_phone"),
        event(
            "u-pii-1",
            {"email": EMAILS[1], "note": f"write to {EMAILS[3]}"},
            "event",
            "pii_site_event_email",
        ),
        event(
            "u-pii-2",
            {"phone": PHONES[1], "note": f"call {PHONES[6]} after 5"},
            "event",
            "pii_site_event_phone",
        ),
        event(
            "u-pii-3",
            {"product_id": next(sku), "event_type": "view", "my_attribute": EMAILS[2]},
            case="pii_product_attribute_email",
        ),
        event(
            "u-pii-4",
            {"product_id": next(sku), "event_type": "detail", "contact_phone": PHONES[5]},
            case="pii_product_attribute_phone",
        ),
        event(
            "u-pii-5",
            {"name": "contact_form", "form": {"reply_to": EMAILS[5]}},
            "form_submit",
            "pii_site_event_nested_email",
        ),
    ]


def usercom_files(clock: Clock) -> list[Dump]:
    valid = usercom_valid(clock)
    time_cases = [_time_case(*case, n=n) for n, case in enumerate(USERCOM_TIME_CASES)]
    main = interleave(valid, usercom_bad(clock) + usercom_pii(clock)) + time_cases
    main += [
        again(valid[0], "duplicate_exact_view"),
        again(valid[2], "duplicate_exact_purchase"),
        again(valid[-30], "duplicate_padded_with_spaces", pad=b"   "),
        again(first(main, reason="invalid_price"), "duplicate_of_rejected_invalid_price"),
        again(first(main, case="usercom_not_json"), "duplicate_of_rejected_invalid_json"),
        blank(b"", "usercom_blank_again"),  # blank lines are never duplicates
        blank(b"   ", "usercom_spaces_again"),
    ]

    def view(user_id: str, event_type: object = "view", **data: object) -> dict:
        fields = {"product_id": "SKU-100", "event_type": event_type, **data}
        return usercom_event(iso(clock.tick()), user_id, fields)

    gz_valid = [
        ok(
            usercom_event(
                stamp(clock.tick(), n),
                f"u-gz-{n % 9}",
                {"product_id": PRODUCTS[n % 6], "event_type": usercom_spelling(n * 5)},
            ),
            "usercom_gz_valid",
        )
        for n in range(90)
    ]
    gz_bad = [
        bad(
            with_received_at(view("u-gz-bad"), "yesterday"),
            "usercom_gz_received_at_word",
            "invalid_timestamp",
        ),
        bad(
            view("u-gz-bad", "purchase", price=raw("NaN")), "usercom_gz_price_nan", "invalid_price"
        ),
        blank(b"", "usercom_gz_blank"),
    ]
    gz = interleave(gz_valid, gz_bad) + [
        again(valid[5], "duplicate_across_files_gz"),
        again(valid[40], "duplicate_across_files_gz"),
    ]
    encoding = encoding_file(lambda n, text: view(f"u-enc-{n}", product_id="MUG-7", name=text))
    bom = [
        ok(view("u-bom"), "bom_first_line"),
        ok(view("u-bom", "add to cart"), "after_bom"),
        bad(view("u-bom", "teleport"), "after_bom_unknown_event_type", "unknown_event_type"),
        ok(view("u-bom", "purchase"), "bom_file_last_line_without_newline"),
    ]
    return [
        Dump("corpus-a.jsonl", main),
        Dump("corpus-b.jsonl.gz", gz),
        Dump("corpus-c-encoding.jsonl", encoding),
        Dump("corpus-d-bom.jsonl", bom, bom=True, final_newline=False),
    ]


def first(lines: list[Line], *, case: str | None = None, reason: str | None = None) -> Line:
    """The first line of a case (or, without one, with a reason code)."""
    if case is not None:
        return next(line for line in lines if line.case == case)
    return next(line for line in lines if line.reason_code == reason)


def encoding_file(event: Callable[[int, str], dict]) -> list[Line]:
    """Valid lines (some with multi-byte UTF-8) around lines with one invalid byte
    sequence each; `event(n, text)` builds a valid event holding `text` in a string."""
    lines: list[Line] = []
    serial = iter(range(1000))
    for case, invalid in INVALID_UTF8:
        lines.append(ok(event(next(serial), "Kawa Café"), "encoding_neighbour_valid"))
        lines.append(
            bad_bytes(event(next(serial), "Caf@@BYTES@@ Noir"), invalid, f"invalid_utf8_{case}")
        )
    lines.append(ok(event(next(serial), "emoji 🛒 and Ελληνικά"), "encoding_neighbour_valid"))
    return lines


# ---------------------------------------------------------------------------- esputnik


def esputnik_event(
    received: object,
    event_key: str,
    params: list[dict],
    key_value: object = None,
) -> dict:
    body: dict = {"eventTypeKey": event_key}
    if key_value is not None:
        body["keyValue"] = key_value
    body["params"] = params
    return {"received_at": received, "body": body}


def param(name: str, value: object) -> dict:
    """A {name, value} param; a dict or list value is sent as JSON text."""
    return {"name": name, "value": value if isinstance(value, str) else dumps(value)}


def es_product(sku: str, price: object = 45.5, **extra: object) -> dict:
    return {"productId": sku, "price": price, **extra}


def es_item(sku: str, quantity: object = 1, price: object = 45.5, **extra: object) -> dict:
    return {"productId": sku, "quantity": quantity, "price": price, **extra}


def esputnik_valid(clock: Clock, prefix: str = "c", journeys: int = 24) -> list[Line]:
    """Journeys (view, cart, purchase) and every event key, contacts located every way."""
    lines: list[Line] = []
    currencies = cycle(("USD", "EUR", "UAH", "eur", " usd ", ""))

    def add(key: str, params: list[dict], contact: str, n: int, case: str) -> None:
        # the contact by keyValue, or by a locator param in the vendor's priority
        match n % 3:
            case 0:
                event = esputnik_event(stamp(clock.tick(), n), key, params, key_value=contact)
            case 1:
                event = esputnik_event(
                    stamp(clock.tick(), n), key, [param("contactId", contact), *params]
                )
            case _:
                event = esputnik_event(
                    stamp(clock.tick(), n), key, [param("externalCustomerId", contact), *params]
                )
        lines.append(ok(event, case))

    for n in range(journeys):
        contact, sku, cart = f"{prefix}-{2000 + n % 8}", PRODUCTS[n % 6], f"cart-{prefix}-{n}"
        price = round(12.5 + 3.25 * (n % 5), 2)
        currency = param("currencyCode", next(currencies))
        product = es_product(
            sku, price, name=f"Item {sku}", isInStock=n % 2, category=CATEGORIES[n % 4]
        )
        add("productViewed", [param("product", product), currency], contact, n, "esputnik_view")
        add(
            "cartUpdated",
            [
                param("products", [es_item(sku, 1 + n % 2, price)]),
                currency,
                param("recycleStateId", cart),
            ],
            contact,
            n,
            "esputnik_cart",
        )
        if n % 3:
            add(
                "purchasedItems",
                [
                    param("products", [es_item(sku, 1 + n % 2, price)]),
                    param("orderNumber", f"ord-{prefix}-{n}"),
                    param("recycleStateId", cart),
                    currency,
                ],
                contact,
                n,
                "esputnik_purchase",
            )
        else:  # abandoned: the cart changes, then stays
            two = [es_item(sku, 2, price), es_item(PRODUCTS[(n + 1) % 6], 0, 9.5)]
            add(
                "cartUpdated",
                [param("products", two), param("recycleStateId", cart)],
                contact,
                n,
                "esputnik_cart_zero_quantity_line_is_not_in_cart",
            )
        add(
            "productAddedToWishlist",
            [param("product", es_product(PRODUCTS[(n + 2) % 6]))],
            contact,
            n,
            "esputnik_wishlist",
        )
        site = (
            ("pageViewed", [param("page", {"location": f"https://shop.example.com/{n}"})]),
            (
                "productCategoryViewed",
                [param("category", {"productCategoryId": CATEGORIES[n % 4]})],
            ),
            ("searchRequest", [param("search", f"green shirt {n}"), param("isFound", "1")]),
            (
                "productImpressions",
                [
                    param("recomVariantId", f"r{n}"),
                    param("products", [{"productId": sku}, {"productId": "MUG-7"}]),
                ],
            ),
            ("newsletterOpened", [param("campaign", f"spring-{n}")]),
        )
        key, params = site[n % 5]
        add(key, params, contact, n, f"esputnik_site_{key}")
    for n, (case, received) in enumerate(GOOD_RECEIVED_AT_EDGES):
        event = esputnik_event(
            received,
            "productViewed",
            [param("product", es_product(PRODUCTS[n]))],
            f"{prefix}-edge-{n}",
        )
        lines.append(ok(event, f"esputnik_{case}"))
    return lines


def esputnik_bad(clock: Clock) -> list[Line]:
    """One fault per line; keyValues c-bad-<n> keep every line distinct."""
    serial = iter(range(10_000))

    def view(product: object = None) -> dict:
        n = next(serial)
        params = [param("product", es_product(PRODUCTS[n % 6]) if product is None else product)]
        return esputnik_event(iso(clock.tick()), "productViewed", params, f"c-bad-{n}")

    def purchase(item: dict | None = None, products: object = None) -> dict:
        n = next(serial)
        items = [es_item(PRODUCTS[n % 6], **(item or {}))] if products is None else products
        params = [
            param("products", items),
            param("orderNumber", f"ob-{n}"),
            param("recycleStateId", f"rb-{n}"),
        ]
        return esputnik_event(iso(clock.tick()), "purchasedItems", params, f"c-bad-{n}")

    def event(key: str, params: list[dict]) -> dict:
        return esputnik_event(iso(clock.tick()), key, params, f"c-bad-{next(serial)}")

    lines = [blank(content, f"esputnik_blank_{case}") for case, content in BLANK_LINES]
    lines += [
        bad("not json at all", "esputnik_not_json", "invalid_json"),
        bad(
            '{"received_at":"2026-03-02T10:00:00Z","body":{', "esputnik_cut_object", "invalid_json"
        ),
        bad("[]", "esputnik_json_array", "invalid_json"),
        bad("true", "esputnik_json_true", "invalid_json"),
    ]
    for case, value in BAD_RECEIVED_AT:
        lines.append(bad(with_received_at(view(), value), f"esputnik_{case}", "invalid_timestamp"))
    for case, body in (
        (
            "no_locator",
            {"eventTypeKey": "productViewed", "params": [param("product", es_product("SKU-100"))]},
        ),
        (
            "empty_key_value",
            {
                "eventTypeKey": "productViewed",
                "keyValue": "",
                "params": [param("product", es_product("SKU-200"))],
            },
        ),
        (
            "blank_locator_param",
            {
                "eventTypeKey": "productViewed",
                "params": [param("contactId", "  "), param("product", es_product("MUG-7"))],
            },
        ),
    ):
        lines.append(
            bad(
                {"received_at": iso(clock.tick()), "body": body},
                f"esputnik_missing_contact_{case}",
                "missing_contact",
            )
        )
    for case, value in NON_SCALAR_IDS:
        # a locator param besides: the only fault is the keyValue's shape
        event_ = view()
        event_["body"] = {
            "eventTypeKey": "productViewed",
            "keyValue": value,
            "params": [param("contactId", f"c-bad-id-{case}"), *event_["body"]["params"]],
        }
        lines.append(bad(event_, f"esputnik_key_value_{case}", "invalid_identifier"))
        lines.append(
            bad(
                view(product={"productId": value, "price": 10}),
                f"esputnik_product_id_{case}",
                "invalid_identifier",
            )
        )
        lines.append(
            bad(
                purchase(products=[es_item("SKU-100"), {**es_item("x"), "productId": value}]),
                f"esputnik_item_product_id_{case}",
                "invalid_identifier",
            )
        )
    for case, bad_event in (
        (
            "event_type_key_missing",
            {
                "received_at": iso(clock.tick()),
                "body": {
                    "keyValue": "c-bad-k",
                    "params": [param("product", es_product("SKU-100"))],
                },
            },
        ),
        (
            "params_missing",
            {
                "received_at": iso(clock.tick()),
                "body": {"eventTypeKey": "productViewed", "keyValue": "c-bad-p"},
            },
        ),
        ("product_param_missing", event("productViewed", [param("currencyCode", "USD")])),
        ("wishlist_product_missing", event("productAddedToWishlist", [])),
        (
            "cart_recycle_state_missing",
            event("cartUpdated", [param("products", [es_item("SKU-100")])]),
        ),
        (
            "purchase_order_number_missing",
            event(
                "purchasedItems",
                [param("products", [es_item("SKU-100")]), param("recycleStateId", "rb-x")],
            ),
        ),
        (
            "purchase_products_missing",
            event(
                "purchasedItems", [param("orderNumber", "ob-x"), param("recycleStateId", "rb-y")]
            ),
        ),
        ("page_missing", event("pageViewed", [])),
        ("category_missing", event("productCategoryViewed", [])),
        ("search_missing", event("searchRequest", [param("isFound", "0")])),
        (
            "impressions_variant_missing",
            event("productImpressions", [param("products", [{"productId": "SKU-100"}])]),
        ),
        ("product_price_missing", view(product={"productId": "SKU-100"})),
        ("item_quantity_missing", purchase(products=[{"productId": "SKU-100", "price": 3}])),
    ):
        lines.append(bad(bad_event, f"esputnik_{case}", "missing_required_field"))
    for case, bad_event in (
        ("product_not_json", view(product="{productId: SKU-100")),
        ("product_json_list", view(product=[es_product("SKU-100")])),
        ("products_json_object", purchase(products=es_item("SKU-100"))),
        ("products_not_json", purchase(products="[{broken")),
        ("product_without_id", view(product={"price": 10})),
        ("item_without_id", purchase(products=[{"quantity": 1, "price": 2}])),
    ):
        lines.append(bad(bad_event, f"esputnik_{case}", "invalid_product_payload"))
    for case, value in (*NON_FINITE, ("negative", -5), ("text", "cheap")):
        lines.append(
            bad(
                view(product=es_product("SKU-100", value)),
                f"esputnik_product_price_{case}",
                "invalid_price",
            )
        )
        lines.append(
            bad(purchase(item={"price": value}), f"esputnik_item_price_{case}", "invalid_price")
        )
    for case, value in (*NON_FINITE, ("zero", 0), ("negative", -1), ("text", "two")):
        lines.append(
            bad(
                purchase(item={"quantity": value}),
                f"esputnik_item_quantity_{case}",
                "invalid_quantity",
            )
        )
    for case, value in (("EURO", "EURO"), ("E1R", "E1R"), ("euro_sign", "€"), ("US", "US")):
        event_ = view()
        event_["body"]["params"].append(param("currencyCode", value))
        lines.append(bad(event_, f"esputnik_currency_{case}", "invalid_currency"))
    return lines


def esputnik_pii(clock: Clock) -> list[Line]:
    """Otherwise valid lines with emails and phones as keyValue and as params."""
    product_param = [param("product", es_product("SKU-100", 20))]

    def event(key_value: str | None, params: list[dict], case: str) -> Line:
        return ok(esputnik_event(iso(clock.tick()), "productViewed", params, key_value), case)

    return [
        event(EMAILS[4], product_param, "pii_esputnik_key_value_email"),
        event(PHONES[2], product_param, "pii_esputnik_key_value_phone"),
        event(None, [param("email", EMAILS[6]), *product_param], "pii_esputnik_email_param"),
        event(None, [param("phone", PHONES[3]), *product_param], "pii_esputnik_phone_param"),
        event(
            "c-pii-1",
            [param("email", EMAILS[1]), param("phone", PHONES[4]), *product_param],
            "pii_esputnik_email_and_phone_params_besides_key",
        ),
        ok(
            esputnik_event(
                iso(clock.tick()),
                "pageViewed",
                [param("email", EMAILS[7]), param("page", {"location": "/contact"})],
                EMAILS[7],
            ),
            "pii_esputnik_site_event",
        ),
    ]


def truncated_gzip(lines: list[Line]) -> tuple[bytes, int]:
    """The gzip of `lines` cut inside its stream, and how many lines survive whole.

    The cut starts at 60 % of the compressed bytes and moves back until at least 32
    bytes of the next line decode after the last newline: a reader that decodes a few
    bytes less of the cut stream still finds the same complete lines."""
    data = b"".join(line.content + b"\n" for line in lines)
    packed = gzip.compress(data, compresslevel=9, mtime=0)

    def decoded(cut: int) -> bytes:
        return zlib.decompressobj(wbits=31).decompress(packed[:cut])

    cut = len(packed) * 6 // 10
    while len(decoded(cut).rpartition(b"\n")[2]) < 32:
        cut -= 1
    survived = decoded(cut).count(b"\n")
    assert 50 < survived < len(lines) - 50, survived  # the cut is well inside
    return packed[:cut], survived


def esputnik_files(clock: Clock) -> list[Dump]:
    valid = esputnik_valid(clock)
    main = interleave(valid, esputnik_bad(clock) + esputnik_pii(clock))
    main += [
        again(valid[1], "duplicate_exact_cart"),
        again(valid[3], "duplicate_exact_wishlist"),
        again(valid[10], "duplicate_padded_with_spaces", pad=b"  "),
        again(first(main, reason="invalid_quantity"), "duplicate_of_rejected_invalid_quantity"),
    ]

    def view(key_value: str, price: object = 12.0, **extra: object) -> dict:
        params = [param("product", es_product("MUG-7", price, **extra))]
        return esputnik_event(iso(clock.tick()), "productViewed", params, key_value)

    tail = esputnik_valid(clock, prefix="t", journeys=44)
    tail_bad = [
        bad(
            with_received_at(view("t-bad-1"), "epoch"),
            "truncated_gz_received_at_word",
            "invalid_timestamp",
        ),
        bad(view("t-bad-2", raw("NaN")), "truncated_gz_price_nan", "invalid_price"),
        blank(b"", "truncated_gz_blank"),
    ]
    tail = tail[:20] + tail_bad + tail[20:]
    packed, survived = truncated_gzip(tail)
    encoding = encoding_file(lambda n, text: view(f"c-enc-{n}", name=text))
    return [
        Dump("corpus-a.jsonl", main),
        Dump("corpus-b-truncated.jsonl.gz", tail[:survived], packed=packed),
        Dump("corpus-c-encoding.jsonl", encoding),
        Dump("resent-corpus-a.jsonl", copy_of="corpus-a.jsonl"),
    ]


# ---------------------------------------------------------------------------- insend


def insend_event(
    received: object,
    data: object,
    *,
    visitor: object = None,
    guest: object = None,
    app_key: str = "shop-a",
) -> dict:
    """A tracker POST; a dict `data` is sent as JSON text."""
    event: dict = {"received_at": received, "app_key": app_key}
    if visitor is not None:
        event["visitor_uid"] = visitor
    if guest is not None:
        event["guest_uid"] = guest
    event["data"] = data if isinstance(data, str) else dumps(data)
    return event


def insend_data(type_: str, properties: object, visitor_info: dict | None = None) -> dict:
    data = {"type": type_, "properties": properties}
    if visitor_info is not None:
        data["visitor_info"] = visitor_info
    return data


def in_item(sku: str, qnt: object = 1, price: object = 25.0, **extra: object) -> dict:
    return {"product_id": sku, "qnt": qnt, "price": price, **extra}


def insend_valid(clock: Clock, prefix: str = "", count: int = 26) -> list[Line]:
    """Journeys (view, cart, purchase), cart snapshots, site events; guests registering."""
    lines: list[Line] = []

    def add(data: dict, n: int, case: str, **ids: str) -> None:
        app_key = ("shop-a", "shop-b")[n % 2]
        lines.append(ok(insend_event(stamp(clock.tick(), n), data, app_key=app_key, **ids), case))

    for n in range(count):
        sku, price = PRODUCTS[n % 6], round(19.9 + 5 * (n % 4), 2)
        ids = (
            {"guest": f"g{prefix}-{4000 + n}"}
            if n % 3 == 0
            else {"visitor": f"v{prefix}-{3000 + n}"}
        )
        add(
            insend_data(
                "view_product",
                {
                    "product_id": sku,
                    "product_name": f"Item {sku}",
                    "price": price,
                    "category_id": CATEGORIES[n % 4],
                    "product_url": f"https://shop.example.net/{sku}",
                    "product_image_url": f"https://cdn.example.net/{sku}.jpg",
                },
            ),
            n,
            "insend_view_product",
            **ids,
        )
        if n % 2:
            add(
                insend_data("add_to_cart", {"product_id": sku, "qnt": 1 + n % 3, "price": price}),
                n,
                "insend_add_to_cart",
                **ids,
            )
        else:
            add(
                insend_data(
                    "update_cart", {"items": [in_item(sku, 2, price), in_item("MUG-7", 0, 8.0)]}
                ),
                n,
                "insend_update_cart_zero_qnt_line_is_not_in_cart",
                **ids,
            )
        if n % 4 == 1:
            add(
                insend_data("remove_from_cart", {"product_id": sku, "qnt": 1}),
                n,
                "insend_remove_from_cart",
                **ids,
            )
        if n % 3 == 0:  # the guest registers: both ids at once
            add(
                insend_data("update_info", {}),
                n,
                "insend_guest_registers",
                visitor=f"v{prefix}-{3000 + n}",
                guest=f"g{prefix}-{4000 + n}",
            )
            ids = {"visitor": f"v{prefix}-{3000 + n}"}
        if n % 5 != 4:
            add(
                insend_data(
                    "purchase",
                    {
                        "order_id": f"io{prefix}-{n}",
                        "revenue": price * 2,
                        "items": [in_item(sku, 2, price)],
                    },
                ),
                n,
                "insend_purchase",
                **ids,
            )
            add(insend_data("update_cart", {"items": []}), n, "insend_cart_cleared", **ids)
        site = (
            ("link", {"key_page_id": n}),
            ("file", {"file_url": f"https://shop.example.net/f{n}.pdf"}),
            ("custom", {"key": f"promo_{n}"}),
            ("link", {"href": f"/category/{CATEGORIES[n % 4]}"}),
        )
        add(insend_data(*site[n % 4]), n, f"insend_site_{site[n % 4][0]}", **ids)
    for n, (case, received) in enumerate(GOOD_RECEIVED_AT_EDGES):
        event = insend_event(
            received,
            insend_data("view_product", {"product_id": PRODUCTS[n]}),
            visitor=f"v{prefix}-edge-{n}",
        )
        lines.append(ok(event, f"insend_{case}"))
    return lines


def insend_bad(clock: Clock) -> list[Line]:
    """One fault per line; visitors v-bad-<n> keep every line distinct."""
    serial = iter(range(10_000))

    def post(data: object, **ids: object) -> dict:
        n = next(serial)
        return insend_event(iso(clock.tick()), data, **(ids or {"visitor": f"v-bad-{n}"}))

    def cart(properties: object) -> dict:
        return post(insend_data("add_to_cart", properties))

    def snapshot(items: list) -> dict:
        return post(insend_data("update_cart", {"items": items}))

    lines = [blank(content, f"insend_blank_{case}") for case, content in BLANK_LINES]
    lines += [
        bad("not json at all", "insend_not_json", "invalid_json"),
        bad(
            '{"received_at":"2026-03-02T10:00:00Z","visitor_uid":"v-1","data":"{',
            "insend_cut_object",
            "invalid_json",
        ),
        bad(
            post('{"type":"view_product","properties":'),
            "insend_data_cut_json_text",
            "invalid_json",
        ),
        bad(post("view_product SKU-100"), "insend_data_not_json", "invalid_json"),
        bad(post("[1, 2]"), "insend_data_json_list", "invalid_json"),
    ]
    for case, value in BAD_RECEIVED_AT:
        event = with_received_at(
            post(insend_data("view_product", {"product_id": "SKU-100"})), value
        )
        lines.append(bad(event, f"insend_{case}", "invalid_timestamp"))
    view = insend_data("view_product", {"product_id": "SKU-200"})
    for case, ids in (
        ("no_ids", {}),
        ("both_empty", {"visitor": "", "guest": ""}),
        ("visitor_spaces", {"visitor": "  "}),
    ):
        event = insend_event(iso(clock.tick()), view, **ids)
        lines.append(bad(event, f"insend_missing_contact_{case}", "missing_contact"))
    for case, value in NON_SCALAR_IDS:
        # the other id besides: the only fault is the id's shape
        lines.append(
            bad(
                insend_event(iso(clock.tick()), view, visitor=value, guest=f"g-ok-{case}"),
                f"insend_visitor_uid_{case}",
                "invalid_identifier",
            )
        )
        lines.append(
            bad(
                insend_event(iso(clock.tick()), view, visitor=f"v-ok-{case}", guest=value),
                f"insend_guest_uid_{case}",
                "invalid_identifier",
            )
        )
        lines.append(
            bad(
                cart({"product_id": value, "qnt": 1, "price": 5}),
                f"insend_product_id_{case}",
                "invalid_identifier",
            )
        )
        lines.append(
            bad(
                snapshot([in_item("SKU-100"), in_item(value)]),  # type: ignore[arg-type]
                f"insend_item_product_id_{case}",
                "invalid_identifier",
            )
        )
    for case, bad_event in (
        ("data_missing", {"received_at": iso(clock.tick()), "visitor_uid": "v-bad-d"}),
        ("type_missing", post({"properties": {"product_id": "SKU-100"}})),
        ("properties_missing", post({"type": "view_product"})),
        ("product_id_missing", cart({"qnt": 1, "price": 5})),
        (
            "purchase_order_id_missing",
            post(insend_data("purchase", {"items": [in_item("SKU-100")]})),
        ),
        ("purchase_items_missing", post(insend_data("purchase", {"order_id": "iob-1"}))),
        ("update_cart_items_missing", post(insend_data("update_cart", {}))),
        ("update_cart_items_not_a_list", post(insend_data("update_cart", {"items": "SKU-100"}))),
        ("item_product_id_missing", snapshot([{"qnt": 1, "price": 2}])),
    ):
        lines.append(bad(bad_event, f"insend_{case}", "missing_required_field"))
    for case, type_ in (("word", "teleport"), ("page_view", "page_view"), ("checkout", "checkout")):
        lines.append(bad(post(insend_data(type_, {})), f"insend_type_{case}", "unknown_event_type"))
    for case, value in (*NON_FINITE, ("negative", -1), ("text", "cheap")):
        lines.append(
            bad(
                cart({"product_id": "SKU-100", "qnt": 1, "price": value}),
                f"insend_price_{case}",
                "invalid_price",
            )
        )
        lines.append(
            bad(
                snapshot([in_item("SKU-100", 1, value)]),
                f"insend_item_price_{case}",
                "invalid_price",
            )
        )
    for case, value in (*NON_FINITE, ("negative", -1), ("text", "two")):
        lines.append(
            bad(
                cart({"product_id": "SKU-100", "qnt": value, "price": 5}),
                f"insend_qnt_{case}",
                "invalid_quantity",
            )
        )
        lines.append(
            bad(
                snapshot([in_item("SKU-100", value)]), f"insend_item_qnt_{case}", "invalid_quantity"
            )
        )
    lines.append(
        bad(
            cart({"product_id": "SKU-100", "qnt": 0, "price": 5}),
            "insend_qnt_zero",
            "invalid_quantity",
        )
    )
    lines.append(
        bad(
            post(insend_data("purchase", {"order_id": "iob-2", "items": [in_item("SKU-100", 0)]})),
            "insend_purchase_qnt_zero",
            "invalid_quantity",
        )
    )
    return lines


def insend_pii(clock: Clock) -> list[Line]:
    """Otherwise valid lines with emails and phones in visitor_info (and a mailto)."""

    def event(data: dict, case: str, **ids: str) -> Line:
        return ok(insend_event(iso(clock.tick()), data, **ids), case)

    return [
        event(
            insend_data(
                "update_info", {}, {"email": EMAILS[5], "phone": PHONES[4], "first_name": "Lena"}
            ),
            "pii_insend_visitor_info",
            visitor="v-pii-1",
            guest="g-pii-1",
        ),
        event(
            insend_data(
                "purchase",
                {"order_id": "io-pii", "items": [in_item("BAG-9")]},
                {"email": EMAILS[3], "phone": PHONES[5]},
            ),
            "pii_insend_visitor_info_purchase",
            visitor="v-pii-2",
        ),
        event(
            insend_data("view_product", {"product_id": "SKU-100"}, {"email": EMAILS[0]}),
            "pii_insend_visitor_info_guest",
            guest="g-pii-3",
        ),
        event(
            insend_data("mailto", {"email": EMAILS[7]}, {}),
            "pii_insend_mailto_email",
            visitor="v-pii-4",
        ),
    ]


def insend_files(clock: Clock) -> list[Dump]:
    valid = insend_valid(clock)
    main = interleave(valid, insend_bad(clock) + insend_pii(clock))
    main += [
        again(valid[0], "duplicate_exact_view"),
        again(valid[7], "duplicate_exact"),
        again(valid[12], "duplicate_padded_with_spaces", pad=b" "),
        again(first(main, case="insend_data_not_json"), "duplicate_of_rejected_invalid_json"),
    ]

    def view(visitor: str, type_: str = "view_product", **properties: object) -> dict:
        data = insend_data(type_, {"product_id": "BAG-9", **properties})
        return insend_event(iso(clock.tick()), data, visitor=visitor)

    crlf_valid = insend_valid(clock, prefix="-crlf", count=6)
    crlf = [
        *crlf_valid[:10],
        blank(b"", "crlf_empty_line"),
        bad(view("v-crlf-bad", price=raw("NaN")), "crlf_price_nan", "invalid_price"),
        *crlf_valid[10:],
        again(crlf_valid[2], "crlf_duplicate_exact"),
    ]
    encoding = encoding_file(lambda n, text: view(f"v-enc-{n}", product_name=text))
    bom = [
        ok(view("v-bom"), "bom_first_line"),
        ok(view("v-bom", "add_to_cart", qnt=1, price=3), "after_bom"),
    ]
    return [
        Dump("corpus-a.jsonl", main),
        Dump("corpus-b-crlf.jsonl", crlf, line_end=b"\r\n"),
        Dump("corpus-c-encoding.jsonl", encoding),
        Dump("corpus-d-bom.jsonl", bom, bom=True),
    ]


# ---------------------------------------------------------------------------- writing


def _check_labels(source: str, dumps_: list[Dump]) -> None:
    """The hand labels agree with the lines: a line marked duplicate repeats an earlier
    one of its source (trimmed, in landing order), and no other non-blank line does; a
    blank line is marked empty_line. (Guards the corpus, not the models.)"""
    seen: set[bytes] = set()
    for dump in sorted(dumps_, key=lambda d: d.name):
        for no, line in enumerate(dump.lines, start=1):
            content = line.content.strip()
            where = f"{source}/{dump.name}:{no} ({line.case})"
            if not content:
                assert line.reason_code == "empty_line", where
                continue
            assert line.reason_code != "empty_line", where
            assert (line.outcome == DUPLICATE) == (content in seen), where
            seen.add(content)


SOURCES = {"usercom": usercom_files, "esputnik": esputnik_files, "insend": insend_files}


def write_corpus(raw_dir: Path) -> list[Expected]:
    """Write the corpus under raw_dir/{usercom,esputnik,insend}/ and return the expected
    outcome of every line that lands (a repeated file and a truncated gzip's partial
    last line land none)."""
    clocks = {
        "usercom": Clock(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), timedelta(minutes=13)),
        "esputnik": Clock(datetime(2026, 3, 1, 6, 5, tzinfo=UTC), timedelta(minutes=17)),
        "insend": Clock(datetime(2026, 3, 1, 6, 10, tzinfo=UTC), timedelta(minutes=16)),
    }
    expected: list[Expected] = []
    for source, build in SOURCES.items():
        folder = raw_dir / source
        folder.mkdir(parents=True, exist_ok=True)
        files = build(clocks[source])
        _check_labels(source, files)
        written = {}
        for dump in files:
            data = written[dump.copy_of] if dump.copy_of else dump.content()
            (folder / dump.name).write_bytes(data)
            written[dump.name] = data
            for no, line in enumerate(dump.lines, start=1):
                expected.append(
                    Expected(
                        f"{source}/{dump.name}",
                        no,
                        line.outcome,
                        line.reason_code,
                        line.case,
                        line.occurred_at,
                        line.client_time_trusted,
                    )
                )
    return expected
