-- Answers on quality: scaling between levels of ambulatory support (W33, derived), Wmo client
-- satisfaction from ZorgfocuZ (W34, per year, no cross-sections in the data), complaints (W35),
-- objections (W36) and Jeugd client experience (J23) from the quality registrations, which no
-- source delivers yet. Grain: question_id, period_type, period_start, cross_section, member, unit.
with

scaling as (

    select * from {{ ref('fct_support_scaling') }}

),

survey as (

    select * from {{ ref('stg_zorgfocuz__resultaten') }}
    where answer is not null

),

registrations as (

    select * from {{ ref('stg_kwaliteit__registraties') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

answers as (

    {%- set parts = [] %}
    {%- for period_name, trunc in periods().items() %}
    {%- for cs, col in [('none', "'totaal'"), ('provider', 'provider_agb'), ('direction', 'direction')] %}
    {%- do parts.append("select 'W33' as question_id, municipality_code, law, '" ~ period_name
        ~ "' as period_type, date_trunc('" ~ trunc ~ "', scaled_on)::date as period_start, '" ~ cs
        ~ "' as cross_section, " ~ col ~ " as member, count(distinct client_key) as value, 'clients' as unit, "
        ~ "count(distinct client_key) as n_clients from scaling cross join period"
        ~ " where scaled_on between period.first_month and last_day(period.last_month) group by all") %}
    {%- endfor %}
    {%- for cs, col in [('none', "'totaal'"), ('provider', "coalesce(provider_agb, 'onbekend')")] %}
    {%- for qid, kind in [('W35', 'klacht'), ('W36', 'bezwaar')] %}
    {%- do parts.append("select '" ~ qid ~ "', '" ~ var('municipality') ~ "', 'wmo', '" ~ period_name
        ~ "', date_trunc('" ~ trunc ~ "', registered_on)::date, '" ~ cs ~ "', " ~ col
        ~ ", count(*), 'registrations', null from registrations where registration_type = '" ~ kind
        ~ "' and coalesce(law, 'wmo') = 'wmo' group by all") %}
    {%- endfor %}
    {%- do parts.append("select 'J23', '" ~ var('municipality') ~ "', 'jeugd', '" ~ period_name
        ~ "', date_trunc('" ~ trunc ~ "', registered_on)::date, '" ~ cs ~ "', " ~ col
        ~ ", round(100.0 * avg(case when score >= 4 then 1 else 0 end), 1), 'percent', null from registrations"
        ~ " where registration_type = 'clientervaring' and score is not null group by all") %}
    {%- endfor %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}

    {#- satisfaction: share of answers 'eens' or 'helemaal eens' (4, 5) among those given #}
    {%- for cs, col in [('none', "'totaal'"), ('statement', 'statement')] %}
    union all
    select
        'W34', '{{ var("municipality") }}', 'wmo', 'year', make_date(survey_year, 1, 1), '{{ cs }}', {{ col }},
        round(100.0 * avg(case when answer >= 4 then 1 else 0 end), 1), 'percent', count(distinct respondent_id)
    from survey
    group by all
    {%- endfor %}

)

select * from answers
