-- Scaling between heavy, medium and light ambulatory support, derived from allocation changes:
-- a trajectory stopped with reason 37 (change request) followed, for the same client and
-- within a few days, by a trajectory at another level. 003 asks for a work process that
-- registers scaling; until there is one, this derivation is the best the data allows.
-- Grain: one row per from_allocation_id.
with

trajectories as (

    select * from {{ ref('fct_care_trajectories') }}

),

levels as (

    select * from {{ ref('ref_zwaarte_ambulant') }}

),

leveled as (

    select trajectories.*, levels.level, levels.level_name
    from trajectories
    inner join levels
        on trajectories.law = levels.law and trajectories.product_group = levels.product_group

),

final as (

    select
        previous.allocation_id as from_allocation_id,
        following.allocation_id as to_allocation_id,
        following.municipality_code,
        following.law,
        following.client_key,
        following.provider_agb,
        following.product_category,
        previous.level_name as from_level,
        following.level_name as to_level,
        case when following.level > previous.level then 'opschaling' else 'afschaling' end as direction,
        following.start_date as scaled_on

    from leveled as previous
    inner join leveled as following
        on
            previous.client_key = following.client_key
            and previous.law = following.law
            and following.level <> previous.level
            and following.start_date between previous.end_date
            and previous.end_date + interval {{ var('scaling_followup_days') }} day
    where previous.stop_reason = '37'
    qualify row_number() over (
        partition by previous.allocation_id
        order by following.start_date, following.allocation_id
    ) = 1

)

select * from final
