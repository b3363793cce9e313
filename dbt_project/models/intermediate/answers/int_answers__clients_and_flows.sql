-- Answers about clients in care and provisions (W01, W06, J01, J06), inflow and outflow
-- (W03, W04, J02, J03), per period and cross-section. In care means in kind or with a personal budget
-- (fct_support_months), so a client with both is counted once; the financing cross-section splits them
-- (a client with both under one law in one period counts in both members).
-- Built per year: only years whose input rows changed are computed again (macros/answers_by_year.sql).
-- Grain: question_id, period, cross-section, member.
{%- set questions = {
    'clients_in_care': {'wmo': 'W01', 'jeugd': 'J01'},
    'provisions': {'wmo': 'W06', 'jeugd': 'J06'},
} %}
{{ config(materialized='incremental', incremental_strategy='replace_years', on_schema_change='sync_all_columns') }}
with

support_months_all as (

    select * from {{ ref('fct_support_months') }}

),

flows as (

    select * from {{ ref('fct_client_flows') }}

),

flow_months_all as (

    -- the care months in which a client flowed in or out, with every cross-section attribute
    select support_months_all.*, flows.flow = 'instroom' as is_inflow, flows.flow = 'uitstroom' as is_outflow
    from support_months_all
    inner join flows using (law, client_key, month_start)

),

-- the aggregation, also fingerprinted as the definition; sqlfluff cannot lay out a captured block
-- noqa: disable=LT02
{%- set aggregation %}
-- from here on client_key is a number within this model: distinct counts of numbers are faster
care_months as (

    {{ with_key_numbers('care_months_by_key', 'client_key') }}

),

flow_months as (

    {{ with_key_numbers('flow_months_by_key', 'client_key') }}

),
answers as (

    {%- set parts = [] %}
    {%- for period, trunc in periods().items() %}
    {%- for cs, col in support_cross_sections(none).items() %}
    {%- for measure, qids in questions.items() %}
    {%- do parts.append(
        "select case law when 'wmo' then '" ~ qids['wmo'] ~ "' else '" ~ qids['jeugd'] ~ "' end as question_id, municipality_code, law, '"
        ~ period ~ "' as period_type, date_trunc('" ~ trunc ~ "', month_start)::date as period_start, '"
        ~ cs ~ "' as cross_section, " ~ col ~ " as member, "
        ~ ("count(distinct client_key)" if measure == 'clients_in_care' else "count(distinct allocation_id)")
        ~ " as value, '" ~ ('clients' if measure == 'clients_in_care' else 'allocations')
        ~ "' as unit, count(distinct client_key) as n_clients from care_months group by all") %}
    {%- endfor %}
    {%- for measure, flag, qw, qj in [('inflow', 'is_inflow', 'W03', 'J02'), ('outflow', 'is_outflow', 'W04', 'J03')] %}
    {%- do parts.append(
        "select case law when 'wmo' then '" ~ qw ~ "' else '" ~ qj ~ "' end, municipality_code, law, '" ~ period
        ~ "', date_trunc('" ~ trunc ~ "', month_start)::date, '" ~ cs ~ "', " ~ col
        ~ ", count(distinct client_key), 'clients', count(distinct client_key) from flow_months where "
        ~ flag ~ " group by all") %}
    {%- endfor %}
    {%- endfor %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}

)
{%- endset %}
-- noqa: enable=LT02

-- the rows the aggregation reads, of the years to build only (fingerprints, years_to_build, then one CTE per name)
{{ rows_in_years_to_build({
    'care_months_by_key': ['support_months_all', 'month_start'],
    'flow_months_by_key': ['flow_months_all', 'month_start'],
}, aggregation) }}
{{ aggregation }}

{{ answers_with_fingerprints('answers') }}
