-- Why care ended, per provider: trajectories ended per quarter by stop reason (307), with the
-- share ended according to plan. Codes are read per law (31 is 'volgens plan' in Jeugd and a
-- move in Wmo). Grain: one row per municipality_code, law, provider_agb, quarter_start, stop_reason.
with

trajectories as (

    select * from {{ ref('fct_care_trajectories') }}
    where end_date is not null and has_stop_message

),

counted as (

    select
        municipality_code,
        law,
        provider_agb,
        date_trunc('quarter', end_date)::date as quarter_start,
        coalesce(stop_reason, 'onbekend') as stop_reason,
        stop_reason_name,
        coalesce(ended_according_to_plan, false) as is_according_to_plan,
        count(*) as trajectories_ended

    from trajectories
    group by all

),

final as (

    select
        *,
        sum(trajectories_ended) over (partition by municipality_code, law, provider_agb, quarter_start)
            as provider_trajectories_ended,
        round(100.0 * trajectories_ended / sum(trajectories_ended) over (
            partition by municipality_code, law, provider_agb, quarter_start
        ), 1) as share_of_provider_pct

    from counted

)

select * from final
