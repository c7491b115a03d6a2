{#- Pre-hook of the contact-keyed incremental models: rows still filed under a guest key
    that has since been stitched to a visitor go; the visitor's rebuild brings them back
    under the visitor. -#}
{% macro delete_stitched_guest_rows() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where contact_id in (
            select contact_key from {{ ref('int_contacts_stitched') }}
            where is_stitched
        )
    {%- endif -%}
{%- endmacro %}
