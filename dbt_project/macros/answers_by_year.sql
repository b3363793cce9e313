{#
  Answer models built per year (issue 28, docs/performance.md "Stop 40").

  An answer for a month, quarter or year is computed from the rows of that period only, so a night
  that brings one day of messages changes the answers of one year, not of eight. The heavy answer
  models therefore rebuild only the years whose input changed:

  - every relation an answer model aggregates is fingerprinted per municipality, law and year: the
    sum of its rows' hashes, with the text of the model's aggregation (macros and vars rendered), so
    a changed definition rebuilds every year (`year_fingerprints`);
  - a year whose fingerprint is not in the table yet is built (`years_to_build`), from its own rows
    only (`rows_in_years_to_build`); every answer row carries its year's fingerprint (`input_fingerprint`);
  - the strategy `replace_years` deletes the rows of every year whose fingerprint changed or whose
    input is gone, and inserts the new rows, in one transaction.

  The fingerprint is taken of the rows the aggregation reads (after joins), not of the tables they
  come from: a payment in 2025 for an allocation that started in 2019 belongs to 2025, and a change
  to that allocation changes 2025's rows. A full build (`dbt build --full-refresh`, a new warehouse)
  computes every year; tests/integration/test_incremental_answers.py shows that several nights, a
  correction of an old period and a credit in a later month give the same rows either way.
#}

{#
  The fingerprint per municipality, law and year (year_start) of the given relations (a mapping
  of relation name to the date column its periods come from) and of the aggregation text.
#}
{% macro year_fingerprints(relations, definition) -%}
    select municipality_code, law, year_start, hash(list(part_hash order by part), '{{ local_md5(definition) }}') as input_fingerprint
    from (
        {%- for relation, date_column in relations.items() %}
        {{ 'union all' if not loop.first }}
        select
            municipality_code, law, date_trunc('year', {{ date_column }})::date as year_start, '{{ relation }}' as part,
            sum(hash(fingerprinted)) as part_hash
        from {{ relation }} as fingerprinted
        group by all
        {%- endfor %}
    )
    group by all
{%- endmacro %}

{#
  Equal municipality and law, an empty one equal to an empty one (null-safe, and still a hash join).
#}
{% macro same_municipality_and_law(left, right) -%}
    coalesce({{ left }}.municipality_code, '') = coalesce({{ right }}.municipality_code, '')
    and coalesce({{ left }}.law, '') = coalesce({{ right }}.law, '')
{%- endmacro %}

{#
  Whether the model's table holds fingerprints to compare with: not on a full build, nor on the first
  build after a table from before this scheme (every year is built then, and its rows replaced).
#}
{% macro has_fingerprints() -%}
    {%- if not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return('input_fingerprint' in (adapter.get_columns_in_relation(this) | map(attribute='name') | list)) }}
{%- endmacro %}

{#
  The years whose fingerprint is not in the model's table: all on a full build.
#}
{% macro years_to_build(fingerprints) -%}
    select fingerprints.*
    from {{ fingerprints }} as fingerprints
    {%- if has_fingerprints() %}
    left join (select distinct municipality_code, law, period_start, input_fingerprint from {{ this }}) as built
        on
            {{ same_municipality_and_law('fingerprints', 'built') }}
            and fingerprints.year_start = date_trunc('year', built.period_start)
            and fingerprints.input_fingerprint = built.input_fingerprint
    where built.input_fingerprint is null
    {%- endif %}
{%- endmacro %}

{#
  The rows of a relation in the years to build.
#}
{% macro in_years_to_build(relation, date_column) -%}
    select {{ relation }}.*
    from {{ relation }}
    inner join years_to_build
        on
            {{ same_municipality_and_law(relation, 'years_to_build') }}
            and date_trunc('year', {{ relation }}.{{ date_column }}) = years_to_build.year_start
{%- endmacro %}

{#
  The CTEs between a model's input rows and its aggregation: `fingerprints`, `years_to_build`, and
  for each name the aggregation reads, the rows of its source in the years to build. `inputs` maps
  that name to [source relation, date column]; `aggregation` is the rendered aggregation.
#}
{% macro rows_in_years_to_build(inputs, aggregation) -%}
{%- set sources = {} -%}
{%- for source in inputs.values() -%}
    {%- do sources.update({source[0]: source[1]}) -%}
{%- endfor -%}
fingerprints as (

    {{ year_fingerprints(sources, aggregation) }}

),

years_to_build as (

    {{ years_to_build('fingerprints') }}

),
{%- for name, source in inputs.items() %}

{{ name }} as (

    {{ in_years_to_build(source[0], source[1]) }}

),
{%- endfor %}
{%- endmacro %}

{#
  The answers with their year's fingerprint (from the CTEs rows_in_years_to_build wrote); on an
  incremental build also one marker row per current year (question_id empty), which tells
  replace_years which years to keep.
#}
{% macro answers_with_fingerprints(answers) -%}
    select {{ answers }}.*, years_to_build.input_fingerprint
    from {{ answers }}
    inner join years_to_build
        on
            {{ same_municipality_and_law(answers, 'years_to_build') }}
            and date_trunc('year', {{ answers }}.period_start) = years_to_build.year_start
    {%- if is_incremental() %}
    union all
    select
        null as question_id, municipality_code, law, null as period_type, year_start as period_start,
        null as cross_section, null as member, null as value, null as unit, null as n_clients, input_fingerprint
    from fingerprints
    {%- endif %}
{%- endmacro %}

{#
  The incremental strategy of the answer models: remove the rows of every year whose fingerprint is
  not among the markers (changed, or no input left), then insert the new rows without the markers.
#}
{% macro get_incremental_replace_years_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as old
    where not exists (
        select 1
        from {{ source }} as marker
        where
            marker.question_id is null
            and {{ same_municipality_and_law('marker', 'old') }}
            and marker.period_start = date_trunc('year', old.period_start)
            and marker.input_fingerprint = old.input_fingerprint
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
    where question_id is not null
{%- endmacro %}
