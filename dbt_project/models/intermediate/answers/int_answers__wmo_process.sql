-- Answers on the Wmo work process (W12-W22) per period, team and product category.
-- Events (started, ended, produced, re-checks, urgent, within or outside the term) count in the
-- period they happen; states (running, work stock and its age, reports still open past their
-- term in W21) are measured on the period's last day, for the current period on the last day the
-- data reach. W16 is the cumulative throughput time: from the report through every step to the end
-- of the process (the decision, or the outcome of the investigation when no application followed).
-- Grain: question_id, period_type, period_start, cross_section, member, unit.
with

processes as (

    select * from {{ ref('fct_wmo_processes') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

{%- set events = [
    ('W13', 'report_date', 'true', 'processes'),
    ('W14', 'ended_on', 'true', 'processes'),
    ('W15', 'investigation_end', 'true', 'processes'),
    ('W19', 'report_date', "process_type = 'Hercontrole'", 'processes'),
    ('W20', 'report_date', 'is_urgent', 'processes'),
] %}

answers as (

    {%- set parts = [] %}
    {%- for cs, col in {'none': "'totaal'", 'team': 'team', 'product_category': 'product_category', 'outcome': 'outcome'}.items() %}
    {%- for qid, date_col, condition, unit in events if cs != 'outcome' or qid == 'W14' %}
    {%- do parts.append(
        "select '" ~ qid ~ "' as question_id, municipality_code, 'wmo' as law, period_type, period_start, '" ~ cs
        ~ "' as cross_section, " ~ col ~ " as member, count(*) as value, '" ~ unit ~ "' as unit, "
        ~ "count(distinct client_key) as n_clients from processes inner join periods on processes." ~ date_col
        ~ " between periods.period_start and periods.period_end where " ~ condition ~ " group by all") %}
    {%- endfor %}
    {%- if cs != 'outcome' %}
    {#- running at the end of the period: reported, not yet ended #}
    {%- do parts.append(
        "select 'W12', municipality_code, 'wmo', period_type, period_start, '" ~ cs ~ "', " ~ col
        ~ ", count(*), 'processes', count(distinct client_key) from processes inner join periods"
        ~ " on processes.report_date <= periods.measured_on"
        ~ " and coalesce(processes.ended_on, date '9999-12-31') > periods.measured_on group by all") %}
    {#- work stock: reported, investigation not completed; its age in calendar and working days #}
    {%- for qid, measure, unit in [('W17', 'count(*)', 'processes'),
                                  ('W18', 'round(avg(datediff(\'day\', report_date, measured_on)), 1)', 'calendar_days'),
                                  ('W18', 'round(avg(end_day.working_day_number - report_day.working_day_number), 1)', 'working_days')] %}
    {%- do parts.append(
        "select '" ~ qid ~ "', municipality_code, 'wmo', period_type, period_start, '" ~ cs ~ "', " ~ col
        ~ ", " ~ measure ~ ", '" ~ unit ~ "', count(distinct client_key) from processes inner join periods"
        ~ " on processes.report_date <= periods.measured_on"
        ~ " and coalesce(processes.investigation_end, date '9999-12-31') > periods.measured_on"
        ~ " left join " ~ source('reference', 'calendar') ~ " as report_day on processes.report_date = report_day.calendar_date"
        ~ " left join " ~ source('reference', 'calendar') ~ " as end_day on periods.measured_on = end_day.calendar_date"
        ~ " group by all") %}
    {%- endfor %}
    {#- cumulative throughput time (all steps, report to decision) of the processes that ended in the period #}
    {%- for measure, unit in [('process_calendar_days', 'calendar_days'), ('process_working_days', 'working_days')] %}
    {%- do parts.append(
        "select 'W16', municipality_code, 'wmo', period_type, period_start, '" ~ cs ~ "', " ~ col
        ~ ", round(avg(" ~ measure ~ "), 1), '" ~ unit ~ "', count(distinct client_key) from processes inner join periods"
        ~ " on processes.ended_on between periods.period_start and periods.period_end"
        ~ " where " ~ measure ~ " is not null group by all") %}
    {%- endfor %}
    {#- reports still under investigation at the end of the period whose term had already passed #}
    {%- do parts.append(
        "select 'W21', municipality_code, 'wmo', period_type, period_start, '" ~ cs ~ "', " ~ col
        ~ ", count(*), 'open_outside_term', count(distinct client_key) from processes inner join periods"
        ~ " on processes.report_term_end < periods.measured_on"
        ~ " and coalesce(processes.investigation_end, date '9999-12-31') > periods.measured_on"
        ~ " where process_type = 'Melding' group by all") %}
    {#- statutory terms: reports by the end of their investigation, applications by their decision #}
    {%- for qid, date_col, flag in [('W21', 'investigation_end', 'report_within_term'),
                                   ('W22', 'decision_date', 'application_within_term')] %}
    {%- do parts.append(
        "select '" ~ qid ~ "', municipality_code, 'wmo', period_type, period_start, '" ~ cs ~ "', " ~ col
        ~ ", count(*), case when " ~ flag ~ " then 'within_term' else 'outside_term' end, count(distinct client_key)"
        ~ " from processes inner join periods on processes." ~ date_col
        ~ " between periods.period_start and periods.period_end where " ~ flag ~ " is not null"
        ~ (" and process_type = 'Melding'" if qid == 'W21' else "") ~ " group by all") %}
    {%- endfor %}
    {%- endif %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}

)

select * from answers
