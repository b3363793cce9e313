-- Wmo work processes (melding, onderzoek, aanvraag, beschikking) with their throughput times
-- and statutory terms: the investigation within 6 weeks of the report (Wmo art. 2.3.2), the
-- decision within 2 weeks of the application (art. 2.3.5), a term ending on a weekend or
-- public holiday moved to the next working day (Algemene termijnenwet).
-- Grain: one row per process_id.
with

processes as (

    select * from {{ ref('stg_suite4__werkprocessen') }}

),

clients as (

    select * from {{ ref('dim_client') }}

),

calendar as (

    select * from {{ source('reference', 'calendar') }}

),

dated as (

    select
        processes.*,
        -- a process ends with the decision, or, without an application, with the outcome of the investigation
        coalesce(
            processes.decision_date,
            case
                when processes.application_date is null and processes.outcome is not null
                    then processes.investigation_end
            end
        ) as ended_on,
        (processes.report_date + interval {{ var('wmo_report_term_days') }} day)::date as report_term_nominal,
        (processes.application_date + interval {{ var('wmo_application_term_days') }} day)::date as application_term_nominal

    from processes

),

final as (

    select
        dated.process_id,
        coalesce(clients.municipality_code, '{{ var("municipality") }}') as municipality_code,
        dated.client_key,
        dated.process_type,
        dated.is_urgent,
        coalesce(dated.team, 'onbekend') as team,
        coalesce(dated.product_category, 'onbekend') as product_category,
        coalesce(dated.outcome, 'onbekend') as outcome,
        dated.report_date,
        dated.investigation_start,
        dated.investigation_end,
        dated.application_date,
        dated.decision_date,
        dated.ended_on,
        datediff('day', dated.report_date, dated.investigation_end) as investigation_calendar_days,
        investigation_end_day.working_day_number - report_day.working_day_number as investigation_working_days,
        datediff('day', dated.report_date, dated.ended_on) as process_calendar_days,
        ended_day.working_day_number - report_day.working_day_number as process_working_days,
        report_term.next_working_day as report_term_end,
        dated.investigation_end <= report_term.next_working_day as report_within_term,
        application_term.next_working_day as application_term_end,
        dated.decision_date <= application_term.next_working_day as application_within_term

    from dated
    left join clients
        on dated.client_key = clients.client_key
    left join calendar as report_day
        on dated.report_date = report_day.calendar_date
    left join calendar as investigation_end_day
        on dated.investigation_end = investigation_end_day.calendar_date
    left join calendar as ended_day
        on dated.ended_on = ended_day.calendar_date
    left join calendar as report_term
        on dated.report_term_nominal = report_term.calendar_date
    left join calendar as application_term
        on dated.application_term_nominal = application_term.calendar_date

)

select * from final
