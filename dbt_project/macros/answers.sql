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

{#
  The union behind most answers: the aggregates once per period and cross-section over a
  relation with municipality_code, law and a month column. Columns: municipality_code, law,
  period_type, period_start, cross_section, member, then the aggregates. Keep one
  count(distinct ...) per part where the data is large: distinct aggregates do not spill, and
  two per part ran int_answers__clients out of the 4 GB limit at scale 10.
#}
{% macro per_period_and_cross_section(relation, aggregates, names=none, month='month_start') -%}
    {%- set parts = [] -%}
    {%- for period, trunc in periods().items() -%}
    {%- for cs, col in cross_sections(names).items() -%}
    {%- do parts.append("select municipality_code, law, '" ~ period ~ "' as period_type, date_trunc('" ~ trunc ~ "', "
        ~ month ~ ")::date as period_start, '" ~ cs ~ "' as cross_section, " ~ col ~ " as member, " ~ aggregates
        ~ " from " ~ relation ~ " group by all") -%}
    {%- endfor -%}
    {%- endfor -%}
    {{ parts | join('\n    union all\n    ') }}
{%- endmacro %}
