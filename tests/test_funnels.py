"""The funnel marts against a second, plain implementation over the parsed events.

The marts compute journeys with window functions in SQL; here the same contract
(CONTRACT.md §4, Funnels) is applied with straight Python loops over
fact_product_events, with the stages read from the seed CSV, not from the warehouse.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from tests.conftest import REPO_ROOT, query

WINDOW = timedelta(hours=168)


def stages() -> dict[int, str]:
    with (REPO_ROOT / "dbt_project" / "seeds" / "event_types.csv").open() as handle:
        return {int(r["event_type_id"]): r["funnel_stage"] for r in csv.DictReader(handle)}


def first_at_or_after(times: list[datetime], start: datetime, end: datetime) -> datetime | None:
    hits = [t for t in times if start <= t <= end]
    return min(hits) if hits else None


def journey(events: list[tuple], start: datetime) -> tuple[datetime | None, datetime | None]:
    """(cart step, purchase step) of a journey starting at `start` over these events."""
    end = start + WINDOW
    cart = first_at_or_after([t for stage, t, *_ in events if stage == "cart"], start, end)
    purchase = cart and first_at_or_after(
        [t for stage, t, *_ in events if stage == "purchase"], cart, end
    )
    return cart, purchase


def python_funnels(warehouse: Path):
    stage_of = stages()
    rows = query(
        warehouse,
        "select contact_id, source_system, product_id, event_type_id, occurred_at, "
        "quantity, unit_price from fact_product_events",
    )
    by_contact: dict[str, list] = defaultdict(list)
    by_contact_product: dict[tuple[str, str], list] = defaultdict(list)
    source_of = {}
    for contact, source, product, type_id, at, quantity, price in rows:
        stage = stage_of[type_id]
        if not stage:
            continue
        value = quantity * price if price is not None else 0.0
        by_contact[contact].append((stage, at, product, value))
        by_contact_product[(contact, product)].append((stage, at, product, value))
        source_of[contact] = source

    daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for contact, events in by_contact.items():
        starts: dict = {}
        for stage, at, *_ in sorted(events, key=lambda e: e[1]):
            if stage == "view":
                starts.setdefault(at.date(), at)
        for day, start in starts.items():
            cart, purchase = journey(events, start)
            counts = daily[(day, source_of[contact])]
            counts[0] += 1
            counts[1] += cart is not None
            counts[2] += bool(purchase)

    product: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0.0])
    for (_, product_id), events in by_contact_product.items():
        views = [at for stage, at, *_ in events if stage == "view"]
        if not views:
            continue
        start = min(views)
        cart, purchase = journey(events, start)
        counts = product[product_id]
        counts[0] += 1
        counts[1] += cart is not None
        if purchase:
            counts[2] += 1
            counts[3] += sum(
                value
                for stage, at, _, value in events
                if stage == "purchase" and purchase <= at <= start + WINDOW
            )
    return daily, product


def test_daily_funnel_equals_the_plain_implementation(built: Path) -> None:
    expected, _ = python_funnels(built)
    actual = {
        (day, source): [viewed, carted, purchased]
        for day, source, viewed, carted, purchased in query(
            built,
            "select funnel_date, source_system, contacts_viewed, contacts_carted, "
            "contacts_purchased from mart_funnel_daily",
        )
    }
    assert actual == dict(expected)
    assert sum(v[0] for v in actual.values()) > 10  # the samples really exercise it


def test_product_funnel_equals_the_plain_implementation(built: Path) -> None:
    _, expected = python_funnels(built)
    actual = {
        product: [viewed, carted, purchased, round(revenue, 6)]
        for product, viewed, carted, purchased, revenue in query(
            built,
            "select product_id, contacts_viewed, contacts_carted, contacts_purchased, revenue "
            "from mart_product_funnel",
        )
    }
    assert actual == {k: [*v[:3], round(v[3], 6)] for k, v in expected.items()}
    assert any(v[2] for v in actual.values())


def test_rates_are_fractions_of_the_counts(built: Path) -> None:
    for viewed, carted, purchased, v2c, c2p, v2p in query(
        built,
        "select contacts_viewed, contacts_carted, contacts_purchased, view_to_cart_rate, "
        "cart_to_purchase_rate, view_to_purchase_rate from mart_funnel_daily",
    ):
        assert v2c == carted / viewed
        assert v2p == purchased / viewed
        assert c2p == (purchased / carted if carted else None)


def test_run_prints_the_funnel_headline(built: Path) -> None:
    viewed, carted, purchased = query(
        built,
        "select sum(contacts_viewed), sum(contacts_carted), sum(contacts_purchased) "
        "from mart_funnel_daily",
    )[0]
    summary = (built.parent / "run_stdout.txt").read_text()
    assert f"viewed {viewed}  carted {carted}  purchased {purchased}" in summary
