-- One row per care trajectory (an allocation that was not withdrawn), with its dates,
-- provider, product, referrer and waiting time. Grain: one row per allocation_id.
with

trajectories as (

    select * from {{ ref('int_care_trajectories') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

stop_reasons as (

    select * from {{ ref('ref_reden_beeindiging') }}

)

select
    trajectories.allocation_id,
    trajectories.municipality_code,
    trajectories.law,
    trajectories.client_key,
    trajectories.provider_agb,
    trajectories.product_category,
    trajectories.product_code,
    products.main_group,
    products.product_group,
    trajectories.allocation_date,
    trajectories.allocation_start,
    trajectories.allocation_end,
    trajectories.start_date,
    trajectories.end_date,
    trajectories.has_start_message,
    trajectories.has_stop_message,
    trajectories.stop_reason,
    stop_reasons.name as stop_reason_name,
    stop_reasons.is_according_to_plan as ended_according_to_plan,
    trajectories.referrer_type,
    referrers.name as referrer_name,
    trajectories.request_date,
    trajectories.waiting_days,
    trajectories.volume,
    trajectories.unit,
    trajectories.unit_name,
    trajectories.frequency,
    trajectories.frequency_name

from trajectories
left join products
    on trajectories.municipality_code = products.municipality_code and trajectories.product_code = products.product_code
left join stop_reasons
    on trajectories.law = stop_reasons.law and trajectories.stop_reason = stop_reasons.code
left join {{ ref('ref_verwijzer_types') }} as referrers
    on trajectories.referrer_type = referrers.code
