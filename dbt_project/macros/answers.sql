{#
  Cross-sections (doorsneden) and periods shared by the question answers. A cross-section maps
  to a column of the fact it is computed from; 'totaal' is the figure without a breakdown.
#}
{% macro cross_sections(names) -%}
    {%- set columns = {
        'none': "'totaal'",
        'provider': 'provider_agb',
        'wijk': "coalesce(wijk_code, 'onbekend')",
        'product': 'product_code',
        'product_category': 'product_category',
        'main_group': "coalesce(main_group, 'onbekend')",
        'age_group': 'age_group',
        'gender': "coalesce(gender, '0')",
        'referrer': 'referrer_type',
    } -%}
    {%- if names is none -%}
        {{ return(columns) }}
    {%- endif -%}
    {%- set chosen = {} -%}
    {%- for n in names -%}
        {%- do chosen.update({n: columns[n]}) -%}
    {%- endfor -%}
    {{ return(chosen) }}
{%- endmacro %}

{% macro periods() -%}
    {{ return({'month': "month", 'quarter': "quarter", 'year': "year"}) }}
{%- endmacro %}
