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
        'financing': 'financing',
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

{#
  The same cross-sections over a relation that holds personal budgets too (a `financing` column of
  'zin' or 'pgb'). A pgb has no provider the municipality contracts (the budget holder chooses and
  contracts the carer), so all pgb is one member 'pgb' of the provider cross-section; its referrer is
  unknown. Rows of care in kind keep their members exactly as cross_sections gives them.
#}
{% macro support_cross_sections(names) -%}
    {%- set columns = cross_sections(names) -%}
    {%- if 'provider' in columns -%}
        {%- do columns.update({'provider': "case when financing = 'pgb' then 'pgb' else provider_agb end"}) -%}
    {%- endif -%}
    {%- if 'referrer' in columns -%}
        {%- do columns.update({'referrer': "case when financing = 'pgb' then 'onbekend' else referrer_type end"}) -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro periods() -%}
    {{ return({'month': "month", 'quarter': "quarter", 'year': "year"}) }}
{%- endmacro %}

{#
  The union behind most answers: the aggregates once per period and cross-section over a
  relation with municipality_code, law and a month column (or any date column), for the given
  period types (all three unless named). Columns: municipality_code, law,
  period_type, period_start, cross_section, member, then the aggregates. Keep one
  count(distinct ...) per part where the data is large: distinct aggregates do not spill, and
  two per part ran int_answers__clients_and_flows out of the 4 GB limit at scale 10.
  With with_pgb the relation holds personal budgets too (support_cross_sections).
#}
{% macro per_period_and_cross_section(relation, aggregates, names=none, month='month_start', period_types=none,
                                      with_pgb=false) -%}
    {%- set parts = [] -%}
    {%- set columns = support_cross_sections(names) if with_pgb else cross_sections(names) -%}
    {%- for period, trunc in periods().items() if period_types is none or period in period_types -%}
    {%- for cs, col in columns.items() -%}
    {%- do parts.append("select municipality_code, law, '" ~ period ~ "' as period_type, date_trunc('" ~ trunc ~ "', "
        ~ month ~ ")::date as period_start, '" ~ cs ~ "' as cross_section, " ~ col ~ " as member, " ~ aggregates
        ~ " from " ~ relation ~ " group by all") -%}
    {%- endfor -%}
    {%- endfor -%}
    {{ parts | join('\n    union all\n    ') }}
{%- endmacro %}

{#
  A relation with its pseudonymous key replaced by a number given within the model. The answer
  models count distinct keys hundreds of times over the same rows, and a key of 18 characters is
  longer than the 12 bytes DuckDB keeps inline, so every comparison follows a pointer. Exact,
  unlike a hash; the numbers never leave the model. On scale-1 data copied ten times:
  int_answers__clients_and_flows 164 s -> 117 s, int_answers__booked_and_budget 20 s -> 15 s (docs/performance.md).
#}
{% macro with_key_numbers(relation, key) -%}
    select keyed.* replace (numbers.key_number as {{ key }})
    from {{ relation }} as keyed
    left join (
        select {{ key }}, row_number() over () as key_number
        from (select distinct {{ key }} from {{ relation }} where {{ key }} is not null)
    ) as numbers using ({{ key }})
{%- endmacro %}
