"""Write the hand-checkable sample dumps in this folder (``python tools/make_samples.py``).

Every line is spelled out below, scenario by scenario, so ``README.md`` beside this file
can say what each line must become. The output is byte-for-byte deterministic
(gzip with a zero mtime), so re-running it changes nothing in git.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "raw_samples"


def j(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- usercom
USERCOM_TYPES = [
    "add to cart", "purchase", "liking", "add to observation", "order", "reservation",
    "return", "view", "click", "detail", "add", "remove", "checkout", "checkout option",
    "refund", "promo click",
]  # fmt: skip


def uc(received_at, user_id, method, data, sent_at=None):
    line = {"received_at": received_at}
    if sent_at is not None:
        line["sent_at"] = sent_at
    line.update({"user_id": user_id, "method": method, "data": data})
    return j(line)


def usercom_day1() -> list[str]:
    out = []
    # The seed's own example (000/001), as captured.
    out.append(
        uc(
            "2026-03-01T08:00:00Z",
            "4hf73x",
            "product_event",
            {
                "product_id": "the_id",
                "event_type": "add to cart",
                "name": "product name",
                "my_attribute": "value",
                "my_attribute_2": "value_2",
            },
            sent_at=1772351998,
        )
    )
    # All 16 types by name (case and surrounding space vary), product SKU-300, contact u-dan.
    spellings = [
        t.upper() if i % 3 == 0 else (f"  {t.title()} " if i % 3 == 1 else t)
        for i, t in enumerate(USERCOM_TYPES)
    ]
    for i, name in enumerate(spellings):
        out.append(
            uc(
                f"2026-03-01T07:{i:02d}:00Z",
                "u-dan",
                "product_event",
                {"product_id": "SKU-300", "event_type": name},
            )
        )
    # All 16 types by numeric ID: odd IDs as integers, even IDs as digit strings; SKU-301.
    for type_id in range(1, 17):
        out.append(
            uc(
                f"2026-03-01T07:{20 + type_id:02d}:00Z",
                "u-dan",
                "product_event",
                {"product_id": "SKU-301", "event_type": type_id if type_id % 2 else str(type_id)},
            )
        )
    # Journey: u-anna views, carts and buys SKU-100 (sent_at in epoch s, epoch ms, ISO).
    out.append(
        uc(
            "2026-03-01T10:00:02Z",
            "u-anna",
            "product_event",
            {
                "product_id": "SKU-100",
                "event_type": "view",
                "name": "Trail Runner",
                "price": 89.9,
                "category": "shoes",
                "url": "https://shop.example/p/sku-100",
                "image_url": "https://shop.example/i/sku-100.jpg",
                "color": "red",
            },
            sent_at=1772359200,
        )
    )  # 2026-03-01T10:00:00Z
    out.append(
        uc(
            "2026-03-01T10:05:01Z",
            "u-anna",
            "product_event",
            {"product_id": "SKU-100", "event_type": "add to cart", "quantity": 1, "price": 89.9},
            sent_at=1772359500000,
        )
    )  # 10:05:00Z in ms
    out.append(
        uc(
            "2026-03-01T10:30:00Z",
            "u-anna",
            "product_event",
            {
                "product_id": "SKU-100",
                "event_type": "purchase",
                "quantity": 1,
                "price": 89.9,
                "order_id": "UC-1001",
            },
            sent_at="2026-03-01T11:29:58+01:00",
        )
    )
    # Journey: u-bart views and carts SKU-100, never buys (abandoned cart).
    out.append(
        uc(
            "2026-03-01T11:00:00Z",
            "u-bart",
            "product_event",
            {"product_id": "SKU-100", "event_type": "view"},
        )
    )
    out.append(
        uc(
            "2026-03-01T11:10:00Z",
            "u-bart",
            "product_event",
            {"product_id": "SKU-100", "event_type": "add to cart", "quantity": 2},
        )
    )
    # Latest value: the name changes at 12:00.
    out.append(
        uc(
            "2026-03-01T12:00:00Z",
            "u-bart",
            "product_event",
            {
                "product_id": "SKU-100",
                "event_type": "view",
                "name": "Trail Runner 2",
                "price": 79.9,
            },
        )
    )
    # A product first seen without a name.
    out.append(
        uc(
            "2026-03-01T12:30:00Z",
            "u-cleo",
            "product_event",
            {"product_id": "SKU-400", "event_type": "view"},
        )
    )
    # Regular site events.
    out.append(uc("2026-03-01T12:31:00Z", "u-cleo", "event", {"name": "newsletter_signup"}))
    out.append(uc("2026-03-01T12:32:00Z", "u-anna", "page_view", {"url": "https://shop.example/"}))
    # Bad lines, one reason each (see README.md).
    out.append('{"received_at": "2026-03-01T13:00:00Z", "user_id": "u-anna", "method": ')
    out.append(
        uc(
            "2026-03-01T13:01:00Z",
            None,
            "product_event",
            {"product_id": "SKU-100", "event_type": "view"},
        )
    )
    out.append(uc("2026-03-01T13:02:00Z", "u-anna", "product_event", {"event_type": "view"}))
    out.append(uc("2026-03-01T13:03:00Z", "u-anna", "product_event", {"product_id": "SKU-100"}))
    out.append(
        uc(
            "2026-03-01T13:04:00Z",
            "u-anna",
            "product_event",
            {"product_id": "SKU-100", "event_type": "wishlist"},
        )
    )
    out.append(
        uc(
            "2026-03-01T13:05:00Z",
            "u-anna",
            "product_event",
            {"product_id": "SKU-100", "event_type": 17},
        )
    )
    out.append(
        uc(
            "2026-03-01T13:06:00Z",
            "u-anna",
            "product_event",
            {"product_id": "SKU-100", "event_type": "view", "price": -5},
        )
    )
    out.append(
        uc("yesterday", "u-anna", "product_event", {"product_id": "SKU-100", "event_type": "view"})
    )
    out.append("")
    out.append(j(["not", "an", "object"]))
    return out


def usercom_day2() -> list[str]:
    out = []
    # A repeated delivery of a day-1 line (u-bart's cart), byte for byte.
    out.append(
        uc(
            "2026-03-01T11:10:00Z",
            "u-bart",
            "product_event",
            {"product_id": "SKU-100", "event_type": "add to cart", "quantity": 2},
        )
    )
    # Late arrival: sent 09:00 on day 1, received on day 2; its older name must not win.
    out.append(
        uc(
            "2026-03-02T09:00:00Z",
            "u-cleo",
            "product_event",
            {
                "product_id": "SKU-100",
                "event_type": "view",
                "name": "Old Runner",
                "category": "outlet",
            },
            sent_at="2026-03-01T09:00:00Z",
        )
    )
    # u-anna on day 2: cart before view does not count as a funnel step.
    out.append(
        uc(
            "2026-03-02T08:00:00Z",
            "u-anna",
            "product_event",
            {
                "product_id": "SKU-200",
                "event_type": "add to cart",
                "quantity": 1,
                "name": "Rain Jacket",
                "price": 120,
            },
        )
    )
    out.append(
        uc(
            "2026-03-02T08:05:00Z",
            "u-anna",
            "product_event",
            {"product_id": "SKU-200", "event_type": "view"},
        )
    )
    # u-cleo: detail (a view-stage type), cart, and a purchase two days later.
    out.append(
        uc(
            "2026-03-02T09:00:00Z",
            "u-cleo",
            "product_event",
            {"product_id": "SKU-200", "event_type": "detail", "price": 115},
        )
    )
    out.append(
        uc(
            "2026-03-02T09:30:00Z",
            "u-cleo",
            "product_event",
            {"product_id": "SKU-200", "event_type": "add to cart", "quantity": 1},
        )
    )
    out.append(
        uc(
            "2026-03-04T09:00:00Z",
            "u-cleo",
            "product_event",
            {
                "product_id": "SKU-200",
                "event_type": "purchase",
                "quantity": 1,
                "price": 115,
                "order_id": "UC-1002",
            },
        )
    )
    return out


# --------------------------------------------------------------------------- esputnik
def param(name, value):
    return {"name": name, "value": value if isinstance(value, str) else j(value)}


def es(received_at, key, params, key_value=None):
    body = {"eventTypeKey": key}
    if key_value is not None:
        body["keyValue"] = key_value
    body["params"] = params
    return j({"received_at": received_at, "body": body})


def esputnik_day1() -> list[str]:
    out = []
    em, ph = "example@email.com", "380501234567"
    # The seed's examples (002/003), made valid JSON.
    out.append(
        es(
            "2026-03-01T09:00:00Z",
            "pageViewed",
            [
                param("phone", ph),
                param("email", em),
                param("page", {"location": "https://example.com"}),
            ],
            key_value=em,
        )
    )
    out.append(
        es(
            "2026-03-01T09:01:00Z",
            "productViewed",
            [
                param("phone", "411786452"),
                param("email", em),
                param(
                    "product",
                    {
                        "productId": "WS01-L-Green",
                        "price": 45.5,
                        "isInStock": 1,
                        "someProductProperty": ["green"],
                    },
                ),
                param("currencyCode", "USD"),
            ],
            key_value=em,
        )
    )
    out.append(
        es(
            "2026-03-01T09:02:00Z",
            "productCategoryViewed",
            [
                param("phone", "7411324763"),
                param("email", em),
                param("category", {"productCategoryId": "Mugs"}),
            ],
            key_value=em,
        )
    )
    out.append(
        es(
            "2026-03-01T09:03:00Z",
            "cartUpdated",
            [
                param("phone", "73456712"),
                param("email", em),
                param("products", [{"productId": "WS01-L-Green", "quantity": 1, "price": 45.5}]),
                param("currencyCode", "USD"),
                param("recycleStateId", "d59c6e6d-4123-4b0e-8c32-15f0656a8c60"),
            ],
            key_value=em,
        )
    )
    out.append(
        es(
            "2026-03-01T09:04:00Z",
            "productImpressions",
            [
                param("phone", ph),
                param("recomVariantId", "r12v3"),
                param("products", [{"productId": "WS01-L-Green"}, {"productId": "MUG-7"}]),
            ],
            key_value=ph,
        )
    )
    out.append(
        es(
            "2026-03-01T09:05:00Z",
            "productAddedToWishlist",
            [
                param("phone", ph),
                param(
                    "product",
                    {
                        "productId": "MUG-7",
                        "price": 12.0,
                        "isInStock": 0,
                        "someProductProperty": ["ceramic"],
                    },
                ),
                param("currencyCode", "UAH"),
            ],
            key_value=ph,
        )
    )
    out.append(
        es(
            "2026-03-01T09:06:00Z",
            "searchRequest",
            [param("phone", ph), param("search", "green shirt"), param("isFound", "0")],
            key_value=ph,
        )
    )
    # Contact locator priority when keyValue is absent.
    out.append(
        es(
            "2026-03-01T10:00:00Z",
            "productViewed",
            [
                param("email", "Olga.K@Example.com"),
                param("contactId", "c-501"),
                param(
                    "product",
                    {"productId": "SKU-100", "price": 89.9, "name": "Trail Runner", "isInStock": 1},
                ),
            ],
        )
    )
    out.append(
        es(
            "2026-03-01T10:01:00Z",
            "productViewed",
            [
                param("phone", "+380 50 777 1122"),
                param("externalCustomerId", "ext-77"),
                param("product", {"productId": "SKU-500", "price": 10}),
            ],
        )
    )
    out.append(
        es(
            "2026-03-01T10:02:00Z",
            "productViewed",
            [
                param("phone", "+380 50 777 1122"),
                param("email", " Petro@Example.com "),
                param("product", {"productId": "SKU-500", "price": 10}),
            ],
        )
    )
    out.append(
        es(
            "2026-03-01T10:03:00Z",
            "productViewed",
            [
                param("phone", "+380 50 777 1122"),
                param("product", {"productId": "SKU-500", "price": 10}),
            ],
        )
    )
    out.append(
        es(
            "2026-03-01T10:04:00Z",
            "pageViewed",
            [
                param("pushToken", "push-abc"),
                param("page", {"location": "https://example.com/sale"}),
            ],
        )
    )
    # Cart cart-e1 of c-501: add, quantity up, second line, quantity down, remove, clear.
    cart = "cart-e1"
    snapshots = [
        [("SKU-100", 1, 89.9)],
        [("SKU-100", 2, 89.9)],
        [("SKU-100", 2, 89.9), ("SKU-500", 1, 10)],
        [("SKU-100", 1, 89.9), ("SKU-500", 1, 10)],
        [("SKU-500", 1, 10)],
        [],
    ]
    for i, snap in enumerate(snapshots):
        out.append(
            es(
                f"2026-03-01T10:{10 + i:02d}:00Z",
                "cartUpdated",
                [
                    param("contactId", "c-501"),
                    param(
                        "products",
                        [{"productId": p, "quantity": q, "price": pr} for p, q, pr in snap],
                    ),
                    param("currencyCode", "EUR"),
                    param("recycleStateId", cart),
                ],
            )
        )
    # Cart cart-e2 of ext-77: one line, then bought with purchasedItems.
    out.append(
        es(
            "2026-03-01T11:00:00Z",
            "productViewed",
            [
                param("externalCustomerId", "ext-77"),
                param(
                    "product",
                    {
                        "productId": "SKU-200",
                        "price": 118,
                        "name": "Rain Jacket",
                        "category": "outerwear",
                        "season": "spring",
                    },
                ),
                param("currencyCode", "EUR"),
            ],
        )
    )
    out.append(
        es(
            "2026-03-01T11:05:00Z",
            "cartUpdated",
            [
                param("externalCustomerId", "ext-77"),
                param("products", [{"productId": "SKU-200", "quantity": 1, "price": 118}]),
                param("currencyCode", "EUR"),
                param("recycleStateId", "cart-e2"),
            ],
        )
    )
    out.append(
        es(
            "2026-03-01T11:20:00Z",
            "purchasedItems",
            [
                param("externalCustomerId", "ext-77"),
                param(
                    "products",
                    [{"productId": "SKU-200", "quantity": 1, "price": 118, "name": "Rain Jacket"}],
                ),
                param("orderNumber", "ES-9001"),
                param("recycleStateId", "cart-e2"),
                param("currencyCode", "EUR"),
            ],
        )
    )
    # A new eventTypeKey the vendor allows: kept as a site event.
    out.append(
        es(
            "2026-03-01T11:30:00Z",
            "customFormSubmitted",
            [param("contactId", "c-501"), param("form", "feedback")],
        )
    )
    # Bad lines.
    out.append(
        es(
            "2026-03-01T12:00:00Z",
            "productViewed",
            [
                param("phone", "411786452"),
                param("email", em),
                param(
                    "product",
                    '{"productId":"WS01-L-Green","price":45.5,"isInStock":1,'
                    '"someProductProperty":["green"]}]}',
                ),
                param("currencyCode", "USD"),
            ],
            key_value=em,
        )
    )
    out.append(
        es(
            "2026-03-01T12:01:00Z",
            "productViewed",
            [param("product", {"productId": "SKU-100", "price": 89.9})],
        )
    )
    out.append(
        es(
            "2026-03-01T12:02:00Z",
            "productViewed",
            [param("contactId", "c-501"), param("currencyCode", "EUR")],
        )
    )
    out.append(
        es(
            "2026-03-01T12:03:00Z",
            "productViewed",
            [param("contactId", "c-501"), param("product", {"productId": "SKU-100", "price": -1})],
        )
    )
    out.append('{"received_at":"2026-03-01T12:04:00Z","body":{"eventTypeKey":"pageViewed",')
    out.append(
        j(
            {
                "received_at": "2026-03-01T12:05:00Z",
                "body": {"keyValue": em, "params": [param("email", em)]},
            }
        )
    )
    return out


def esputnik_day2() -> list[str]:
    out = []
    # c-501 comes back: views SKU-100 (a new price), carts it in a new cart, buys it.
    out.append(
        es(
            1772442000,
            "productViewed",  # epoch seconds: 2026-03-02T09:00:00Z
            [
                param("contactId", "c-501"),
                param("product", {"productId": "SKU-100", "price": 84.5, "isInStock": 0}),
                param("currencyCode", "EUR"),
            ],
        )
    )
    out.append(
        es(
            1772442600000,
            "cartUpdated",  # epoch ms: 2026-03-02T09:10:00Z
            [
                param("contactId", "c-501"),
                param("products", [{"productId": "SKU-100", "quantity": 1, "price": 84.5}]),
                param("currencyCode", "EUR"),
                param("recycleStateId", "cart-e3"),
            ],
        )
    )
    out.append(
        es(
            "2026-03-02T11:15:00+02:00",
            "purchasedItems",
            [
                param("contactId", "c-501"),
                param("products", [{"productId": "SKU-100", "quantity": 1, "price": 84.5}]),
                param("orderNumber", "ES-9002"),
                param("recycleStateId", "cart-e3"),
                param("currencyCode", "EUR"),
            ],
        )
    )
    # The same delivery twice in one file.
    dup = es(
        "2026-03-02T10:00:00Z",
        "pageViewed",
        [param("contactId", "c-501"), param("page", {"location": "https://example.com/"})],
    )
    out += [dup, dup]
    return out


# --------------------------------------------------------------------------- insend
def ins(
    received_at,
    type_,
    properties,
    visitor_info=None,
    visitor_uid=None,
    guest_uid=None,
    app_key="a1b2",
):
    data = {"type": type_, "properties": properties}
    if visitor_info is not None:
        data["visitor_info"] = visitor_info
    line = {"received_at": received_at, "app_key": app_key}
    if visitor_uid is not None:
        line["visitor_uid"] = visitor_uid
    if guest_uid is not None:
        line["guest_uid"] = guest_uid
    line["data"] = j(data)
    return j(line)


def insend_day1() -> list[str]:
    out = []
    tz = "+08:00"
    # Guest g-9f browses, fills a cart, registers as v-17 and buys as v-17 only.
    out.append(ins(f"2026-03-01T18:00:00{tz}", "link", {"key_page_id": 123}, {}, guest_uid="g-9f"))
    out.append(
        ins(
            f"2026-03-01T18:01:00{tz}",
            "view_product",
            {
                "product_id": "123",
                "product_name": "Product",
                "category_id": "123",
                "product_url": "http://site.net/product/123",
                "price": 125.15,
                "product_image_url": "http://site/1.jpg",
            },
            guest_uid="g-9f",
        )
    )
    out.append(
        ins(
            f"2026-03-01T18:02:00{tz}",
            "update_cart",
            {
                "items": [
                    {"product_id": "123", "qnt": 1, "price": 125.15, "product_name": "Product"}
                ]
            },
            guest_uid="g-9f",
        )
    )
    out.append(
        ins(
            f"2026-03-01T18:03:00{tz}",
            "update_cart",
            {
                "items": [
                    {"product_id": "123", "qnt": 3, "price": 125.15},
                    {"product_id": "1", "qnt": 1, "price": 125.03},
                ]
            },
            guest_uid="g-9f",
        )
    )
    out.append(
        ins(
            f"2026-03-01T18:04:00{tz}",
            "update_info",
            {},
            {"email": "Test@Example.net", "phone": "555555"},
            visitor_uid="v-17",
            guest_uid="g-9f",
        )
    )
    out.append(
        ins(
            f"2026-03-01T18:05:00{tz}",
            "update_cart",
            {"items": [{"product_id": "123", "qnt": 2, "price": 125.15}]},
            visitor_uid="v-17",
        )
    )
    out.append(
        ins(
            f"2026-03-01T18:10:00{tz}",
            "purchase",
            {
                "order_id": "12345",
                "revenue": 250.3,
                "items": [{"product_id": "123", "qnt": 2, "price": 125.15}],
            },
            {
                "first_name": "John",
                "last_name": "Smith",
                "email": "test@example.net",
                "phone": "555555",
            },
            visitor_uid="v-17",
        )
    )
    out.append(ins(f"2026-03-01T18:11:00{tz}", "update_cart", {"items": []}, visitor_uid="v-17"))
    # The seed's own examples (004), visitor v-20.
    out.append(
        ins(
            "2026-03-01T12:00:00Z",
            "add_to_cart",
            {
                "product_id": "1",
                "qnt": 2,
                "price": 125.03,
                "product_name": "product",
                "product_url": "http://site.net/product/1",
            },
            visitor_uid="v-20",
        )
    )
    out.append(
        ins(
            "2026-03-01T12:01:00Z",
            "remove_from_cart",
            {"product_id": "1", "qnt": 2},
            visitor_uid="v-20",
        )
    )
    out.append(ins("2026-03-01T12:02:00Z", "custom", {"key": "event_key"}, visitor_uid="v-20"))
    out.append(
        ins(
            "2026-03-01T12:03:00Z",
            "file",
            {"file_url": "http://example.com/file.zip"},
            {},
            visitor_uid="v-20",
        )
    )
    out.append(
        ins(
            "2026-03-01T12:04:00Z",
            "mailto",
            {"email": "chuck-norris@example.com"},
            {},
            visitor_uid="v-20",
        )
    )
    out.append(
        ins(
            "2026-03-01T12:05:00Z",
            "purchase",
            {
                "order_id": "12346",
                "revenue": 99.99,
                "items": [
                    {
                        "product_id": "1",
                        "qnt": 1,
                        "price": 125.15,
                        "product_image_url": "http://site/2.jpg",
                        "product_url": "http://site.net/product/2",
                    },
                    {
                        "product_id": "2",
                        "qnt": 15,
                        "price": 127.02,
                        "product_image_url": "http://site/2.jpg",
                        "product_url": "http://site.net/product/2",
                    },
                ],
            },
            {
                "first_name": "John",
                "last_name": "Smith",
                "email": "test@example.net",
                "phone": "555555",
            },
            visitor_uid="v-20",
        )
    )
    # A visitor viewing SKU-100, the product the other sources also sell.
    out.append(
        ins(
            1772370000000,
            "view_product",
            {  # epoch ms: 2026-03-01T13:00:00Z
                "product_id": "SKU-100",
                "product_name": "Trail Runner",
                "price": 349.0,
                "category_id": "shoes",
            },
            visitor_uid="v-21",
        )
    )
    # Bad lines.
    out.append(ins("2026-03-01T14:00:00Z", "view_product", {"product_id": "123"}))
    out.append(
        j(
            {
                "received_at": "2026-03-01T14:01:00Z",
                "app_key": "a1b2",
                "visitor_uid": "v-21",
                "data": '{"type":"view_product","properties":',
            }
        )
    )
    out.append(
        ins("2026-03-01T14:02:00Z", "wishlist_add", {"product_id": "123"}, visitor_uid="v-21")
    )
    out.append(ins("2026-03-01T14:03:00Z", "view_product", {"price": 1}, visitor_uid="v-21"))
    out.append(
        ins(
            "2026-03-01T14:04:00Z",
            "add_to_cart",
            {"product_id": "123", "qnt": 1, "price": -125.15},
            visitor_uid="v-21",
        )
    )
    return out


def insend_day2() -> list[str]:
    out = []
    # A new guest views SKU-100 and updates a cart but never registers or buys.
    out.append(
        ins(
            "2026-03-02T10:00:00Z",
            "view_product",
            {"product_id": "SKU-100", "price": 339.0},
            guest_uid="g-30",
        )
    )
    out.append(
        ins(
            "2026-03-02T10:05:00Z",
            "update_cart",
            {"items": [{"product_id": "SKU-100", "qnt": 1, "price": 339.0}]},
            guest_uid="g-30",
        )
    )
    return out


def write(path: Path, lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(data)
    else:
        path.write_bytes(data)


def main() -> None:
    write(HERE / "usercom" / "2026-03-01.jsonl", usercom_day1())
    write(HERE / "usercom" / "2026-03-02.jsonl.gz", usercom_day2())
    write(HERE / "esputnik" / "2026-03-01.jsonl", esputnik_day1())
    write(HERE / "esputnik" / "2026-03-02.jsonl", esputnik_day2())
    write(HERE / "insend" / "2026-03-01.jsonl", insend_day1())
    write(HERE / "insend" / "2026-03-02.jsonl", insend_day2())


if __name__ == "__main__":
    main()
