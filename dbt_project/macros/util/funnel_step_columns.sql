{#- The funnel figures both funnel marts report over a group of funnel_journeys rows:
    contacts at each step, conversion rates (fractions, null when the denominator is 0)
    and median hours between steps. Each journey is one contact. -#}
{% macro funnel_step_columns() -%}
    count(*) as contacts_viewed,
    count(carted_at) as contacts_carted,
    count(purchased_at) as contacts_purchased,
    count(carted_at) / nullif(count(*), 0) as view_to_cart_rate,
    count(purchased_at) / nullif(count(carted_at), 0) as cart_to_purchase_rate,
    count(purchased_at) / nullif(count(*), 0) as view_to_purchase_rate,
    median(hours_view_to_cart) as median_hours_view_to_cart,
    median(hours_cart_to_purchase) as median_hours_cart_to_purchase
{%- endmacro %}
