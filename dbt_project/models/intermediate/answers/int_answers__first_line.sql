-- Answers on the first line: neighbourhood teams (W28-W32, from STAPP) and the CJG (J17-J22).
-- Inflow in M: active in M, not in M-1; outflow in M: active in M, not in M+1 (the first and
-- last month of a source show neither, as for specialist care).
-- Grain: question_id, period_type, period_start, cross_section, member, unit.
{%- set q = {
    'unique': {'swt': 'W28', 'cjg': 'J17'}, 'inflow': {'swt': 'W29', 'cjg': 'J19'},
    'outflow': {'swt': 'W30', 'cjg': 'J20'}, 'products': {'swt': 'W31', 'cjg': 'J21'},
} %}
with

months as (

    -- person_key as a number within this model: distinct counts of numbers are faster
    {{ with_key_numbers(ref('int_first_line__months'), 'person_key') }}

),

trajectories as (

    select * from {{ ref('fct_first_line_trajectories') }}

),

contacts as (

    select contacts.*, youths.wijk_code, youths.birth_year_month, 'contactmoment' as product
    from {{ ref('stg_cjg__contactmomenten') }} as contacts
    left join {{ ref('stg_cjg__jeugdigen') }} as youths
        on contacts.person_key = youths.person_key

),

periods as (

    select * from {{ ref('int_periods') }}

),

active as (

    select distinct source, person_key, month_start from months

),

bounds as (

    select source, min(month_start) as first_month, max(month_start) as last_month from months
    group by source

),

flows as (

    select
        active.source,
        active.person_key,
        active.month_start,
        active.month_start > bounds.first_month and before.person_key is null as is_inflow,
        active.month_start < bounds.last_month and after.person_key is null as is_outflow

    from active
    inner join bounds
        on active.source = bounds.source
    left join active as before
        on
            active.source = before.source and active.person_key = before.person_key
            and before.month_start = active.month_start - interval 1 month
    left join active as after
        on
            active.source = after.source and active.person_key = after.person_key
            and after.month_start = active.month_start + interval 1 month

),

flow_months as (

    select months.*, flows.is_inflow, flows.is_outflow
    from months
    inner join flows using (source, person_key, month_start)
    where flows.is_inflow or flows.is_outflow

),

answers as (

    {%- set parts = [] %}
    {%- for period, trunc in periods().items() %}
    {%- for cs, col in {'none': "'totaal'", 'wijk': cross_sections(['wijk'])['wijk'], 'product': 'product', 'age_group': 'age_group'}.items() %}
    {%- set head = "municipality_code, case source when 'swt' then 'wmo' else 'jeugd' end as law, '" ~ period
        ~ "' as period_type, date_trunc('" ~ trunc ~ "', month_start)::date as period_start, '" ~ cs
        ~ "' as cross_section, " ~ col ~ " as member" %}
    {%- do parts.append("select case source when 'swt' then '" ~ q.unique.swt ~ "' else '" ~ q.unique.cjg
        ~ "' end as question_id, " ~ head ~ ", count(distinct person_key) as value, 'clients' as unit,"
        ~ " count(distinct person_key) as n_clients from months where source = 'cjg' or trajectory_id is not null group by all") %}
    {%- do parts.append("select case source when 'swt' then '" ~ q.products.swt ~ "' else '" ~ q.products.cjg
        ~ "' end, " ~ head ~ ", count(distinct trajectory_id), 'trajectories', count(distinct person_key)"
        ~ " from months where trajectory_id is not null group by all") %}
    {%- for measure, flag in [('inflow', 'is_inflow'), ('outflow', 'is_outflow')] %}
    {%- do parts.append("select case source when 'swt' then '" ~ q[measure].swt ~ "' else '" ~ q[measure].cjg
        ~ "' end, " ~ head ~ ", count(distinct person_key), 'clients', count(distinct person_key)"
        ~ " from flow_months where " ~ flag ~ " group by all") %}
    {%- endfor %}
    {#- per trajectory or contact, with the age at the start of the period #}
    {%- set member = age_group(age_in_months('birth_year_month', 'periods.period_start') ~ ' // 12') if cs == 'age_group' else col %}
    {%- for qid, law, rows, date_col, measure, unit, condition in [
        ('W32', 'wmo', 'trajectories', 'referral_date', 'count(*)', 'referrals',
         "source = 'swt' and referral_date between start_date and coalesce(end_date, referral_date)"),
        ('J18', 'jeugd', 'contacts', 'contact_date', 'count(*)', 'contacts', 'is_information_and_advice'),
        ('J22', 'jeugd', 'trajectories', 'end_date', 'round(avg(duration_days), 1)', 'days', "source = 'cjg'"),
    ] %}
    {%- do parts.append("select '" ~ qid ~ "', '" ~ var('municipality') ~ "', '" ~ law ~ "', '" ~ period
        ~ "', periods.period_start, '" ~ cs ~ "', " ~ member ~ ", " ~ measure ~ ", '" ~ unit ~ "', count(distinct person_key)"
        ~ " from " ~ rows ~ " inner join periods on " ~ rows ~ "." ~ date_col
        ~ " between periods.period_start and periods.period_end and periods.period_type = '" ~ period ~ "'"
        ~ " where " ~ condition ~ " group by all") %}
    {%- endfor %}
    {%- endfor %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}

)

select * from answers
