{#- Accepted events with their stitched contact_id and cart_id (InSend's cart is the
    stitched contact's, per app).

    A view, its SQL in the macro events_identified. Its four readers (product lines,
    cart snapshots, site events, contacts) are incremental per contact: a full build
    reads this view, an incremental run reads the same SQL with the stitched contacts
    cut to those it rebuilds (identified_events). Stored as a table, it cost a copy of
    every accepted line (items and properties included) written and read back: at 10 M
    events the readers took 70.0 s with the table, 41.6 s with this view
    (docs/benchmarks.md). -#}
{{ config(materialized='view') }}
{{ events_identified() }}
