"""Synthetic dumps for all three sources, at volume (`python -m tools.generate`).

Deterministic from a seed: every random choice is `hash(event number, seed, salt)`, so
the same arguments give the same bytes. Vectorised: DuckDB builds every line as JSON
in one SQL statement, polars writes the files; no Python loop touches an event.

The mix, per event: ~78 % views, 8 % add to cart, 2 % removes, 3 % purchases, the rest
other product types or site events. Events come in sessions: `session_events`
consecutive events share one contact and follow each other 30 s apart, so a day's
events touch a day's visitors rather than a random event's contact each (1 gives every
event a contact of its own). A contact belongs to one source (contact % 3).
eSputnik and InSend carts are whole-cart snapshots (cartUpdated / update_cart); an
InSend contact in ten starts as a guest and registers on a day of its own, after which
its events carry both uids. Some lines are broken (truncated JSON), delivered twice
(again in the next day's file) or late (received two days after they happened).

    python -m tools.generate --events 1000000 --days 30 --out build/bench/raw
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from tqdm import tqdm

USERCOM_OTHER_TYPES = ["liking", "click", "detail", "checkout", "promo click"]


@dataclass(frozen=True)
class Spec:
    events: int = 100_000
    days: int = 30
    contacts: int | None = None  # default: events / 20
    products: int | None = None  # default: events / 200, at least 50
    seed: int = 42
    start: date = date(2026, 1, 1)
    bad_rate: float = 0.001
    repeat_rate: float = 0.001
    late_rate: float = 0.002
    session_events: int = 10

    @property
    def n_contacts(self) -> int:
        return self.contacts or max(self.events // 20, 30)

    @property
    def n_products(self) -> int:
        return self.products or max(self.events // 200, 50)


def lines_sql(spec: Spec, first_event: int = 0) -> str:
    """One row per output line: source, file_day, line (ordered, deterministic)."""
    uc_other = "[" + ", ".join(f"'{t}'" for t in USERCOM_OTHER_TYPES) + "]"
    return f"""
    with
    numbered as (
        select i, i // {spec.session_events} as session
        from range({first_event}, {first_event + spec.events}) as t (i)
    ),
    base as (
        select
            i,
            hash(session, {spec.seed}, 'contact') % {spec.n_contacts} as contact,
            -- popular products more often: a squared uniform skews to low numbers
            cast(floor({spec.n_products} * pow((hash(i, {spec.seed}, 'product') % 1000003)
                / 1000003.0, 2)) as bigint) as product,
            (hash(i, {spec.seed}, 'type') % 100000) / 100000.0 as u_type,
            (hash(i, {spec.seed}, 'flags') % 1000000) / 1000000.0 as u_flags,
            (hash(i, {spec.seed}, 'repeat') % 1000000) / 1000000.0 as u_repeat,
            hash(session, {spec.seed}, 'second') % (86400 - 30 * {spec.session_events})
                + 30 * (i % {spec.session_events}) as second_of_day,
            1 + hash(i, {spec.seed}, 'qty') % 3 as quantity,
            cast((i - {first_event}) * {spec.days} // {spec.events} as integer) as day
        from numbered
    ),
    typed as (
        select
            *,
            contact % 3 as source_no,
            case
                when u_type < 0.78 then 'view'
                when u_type < 0.86 then 'add'
                when u_type < 0.88 then 'remove'
                when u_type < 0.91 then 'purchase'
                when u_type < 0.96 then 'other_product'
                else 'site'
            end as kind,
            timestamp '{spec.start.isoformat()}' + to_days(day) + to_seconds(second_of_day)
                as occurred_at,
            round(5 + (product % 200) * 1.5, 2) as price,
            -- InSend guests: one contact in ten registers on a day of its own
            contact % 30 = 2 and day < contact % {spec.days} as is_guest,
            u_flags >= {spec.bad_rate} and u_flags < {spec.bad_rate + spec.late_rate} as is_late
        from base
    ),
    timed as (
        select
            *,
            occurred_at + case when is_late then interval 2 day else interval 1 second end
                as received_at,
            day + case when is_late then 2 else 0 end as file_day
        from typed
    ),
    rendered as (
        select
            i,
            source_no,
            file_day,
            u_flags,
            u_repeat,
            case source_no
            when 0 then to_json({{
                received_at: strftime(received_at, '%Y-%m-%dT%H:%M:%SZ'),
                sent_at: epoch(occurred_at)::bigint,
                user_id: 'u' || contact,
                method: case when kind = 'site' then 'event' else 'product_event' end,
                data: case when kind = 'site' then {{name: 'newsletter_signup'}}::json
                    else {{
                        product_id: 'P' || product,
                        event_type: case kind
                            when 'view' then 'view' when 'add' then 'add to cart'
                            when 'remove' then 'remove' when 'purchase' then 'purchase'
                            else {uc_other}[1 + i % {len(USERCOM_OTHER_TYPES)}] end,
                        name: 'Product ' || product,
                        price: price,
                        quantity: quantity
                    }}::json end
            }})
            when 1 then to_json({{
                received_at: strftime(received_at, '%Y-%m-%dT%H:%M:%SZ'),
                body: {{
                    eventTypeKey: case kind
                        when 'view' then 'productViewed' when 'add' then 'cartUpdated'
                        when 'remove' then 'cartUpdated' when 'purchase' then 'purchasedItems'
                        when 'other_product' then 'productAddedToWishlist' else 'pageViewed' end,
                    params: case
                        when kind in ('view', 'other_product') then [
                            {{name: 'contactId', value: 'c' || contact}},
                            {{name: 'product', value: to_json({{productId: 'P' || product,
                                price: price, name: 'Product ' || product}})::varchar}},
                            {{name: 'currencyCode', value: 'EUR'}}]
                        when kind = 'add' then [
                            {{name: 'contactId', value: 'c' || contact}},
                            {{name: 'products', value: to_json([{{productId: 'P' || product,
                                quantity: quantity, price: price}}])::varchar}},
                            {{name: 'currencyCode', value: 'EUR'}},
                            {{name: 'recycleStateId', value: 'cart-' || contact || '-' || day}}]
                        when kind = 'remove' then [
                            {{name: 'contactId', value: 'c' || contact}},
                            {{name: 'products', value: '[]'}},
                            {{name: 'recycleStateId', value: 'cart-' || contact || '-' || day}}]
                        when kind = 'purchase' then [
                            {{name: 'contactId', value: 'c' || contact}},
                            {{name: 'products', value: to_json([{{productId: 'P' || product,
                                quantity: quantity, price: price}}])::varchar}},
                            {{name: 'orderNumber', value: 'o' || i}},
                            {{name: 'recycleStateId', value: 'cart-' || contact || '-' || day}},
                            {{name: 'currencyCode', value: 'EUR'}}]
                        else [
                            {{name: 'contactId', value: 'c' || contact}},
                            {{name: 'page', value: '{{"location":"https://shop.example/"}}'}}]
                    end
                }}
            }})
            else to_json({{
                received_at: strftime(received_at, '%Y-%m-%dT%H:%M:%S+00:00'),
                app_key: 'shop1',
                visitor_uid: case when is_guest then null else 'v' || contact end,
                guest_uid: case when contact % 30 = 2 then 'g' || contact end,
                data: to_json({{
                    type: case kind
                        when 'view' then 'view_product' when 'add' then 'update_cart'
                        when 'remove' then 'update_cart' when 'purchase' then 'purchase'
                        when 'other_product' then 'add_to_cart' else 'link' end,
                    properties: case kind
                        when 'view' then {{product_id: 'P' || product, price: price,
                            product_name: 'Product ' || product}}::json
                        when 'add' then {{items: [{{product_id: 'P' || product,
                            qnt: quantity, price: price}}]}}::json
                        when 'remove' then '{{"items":[]}}'::json
                        when 'purchase' then {{order_id: 'o' || i, revenue: price * quantity,
                            items: [{{product_id: 'P' || product, qnt: quantity,
                            price: price}}]}}::json
                        when 'other_product' then {{product_id: 'P' || product, qnt: 1,
                            price: price}}::json
                        else {{key_page_id: product}}::json end
                }})::varchar
            }})
            end::varchar as line
        from timed
    ),
    broken as (
        select
            i,
            source_no,
            file_day,
            u_repeat,
            case when u_flags < {spec.bad_rate} then left(line, length(line) // 2)
                else line end as line
        from rendered
    )
    select source_no, file_day, i, 0 as copy, line from broken
    union all
    -- repeated deliveries: the same line again in the next day's file
    select source_no, file_day + 1, i, 1 as copy, line from broken
    where u_repeat < {spec.repeat_rate}
    order by source_no, file_day, i, copy
    """


SOURCE_NAMES = ("usercom", "esputnik", "insend")


def generate(spec: Spec, out: Path, *, first_event: int = 0, progress: bool = True) -> dict:
    """Write the dumps under `out/<source>/<day>.jsonl`; returns counts per source."""
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    frame = pl.from_arrow(con.sql(lines_sql(spec, first_event)).to_arrow_table())
    con.close()
    counts: dict[str, int] = {}
    parts = frame.partition_by(["source_no", "file_day"], as_dict=True, maintain_order=True)
    for (source_no, file_day), part in tqdm(
        parts.items(), desc="writing dumps", unit="file", disable=not progress
    ):
        source = SOURCE_NAMES[source_no]
        day = date.fromordinal(spec.start.toordinal() + file_day)
        suffix = "" if first_event == 0 else f"-{first_event}"
        path = out / source / f"{day.isoformat()}{suffix}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        part.select("line").write_csv(path, include_header=False, quote_style="never")
        counts[source] = counts.get(source, 0) + part.height
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.generate",
        description="Write deterministic synthetic dumps for usercom, esputnik and insend.",
    )
    parser.add_argument("--events", type=int, default=Spec.events)
    parser.add_argument("--days", type=int, default=Spec.days)
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--products", type=int, default=None)
    parser.add_argument("--seed", type=int, default=Spec.seed)
    parser.add_argument("--start", type=date.fromisoformat, default=Spec.start)
    parser.add_argument("--bad-rate", type=float, default=Spec.bad_rate)
    parser.add_argument("--repeat-rate", type=float, default=Spec.repeat_rate)
    parser.add_argument("--late-rate", type=float, default=Spec.late_rate)
    parser.add_argument("--session-events", type=int, default=Spec.session_events,
                        help="events in a row of one contact (1: no sessions)")  # fmt: skip
    parser.add_argument("--first-event", type=int, default=0,
                        help="number of the first event (to append a later batch)")  # fmt: skip
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    spec = Spec(
        events=args.events, days=args.days, contacts=args.contacts, products=args.products,
        seed=args.seed, start=args.start, bad_rate=args.bad_rate,
        repeat_rate=args.repeat_rate, late_rate=args.late_rate,
        session_events=args.session_events,
    )  # fmt: skip
    started = time.perf_counter()
    counts = generate(spec, args.out, first_event=args.first_event)
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    print(f"{total} lines ({', '.join(f'{s} {n}' for s, n in counts.items())}) "
          f"in {elapsed:.1f} s -> {args.out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
