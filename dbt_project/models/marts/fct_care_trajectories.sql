-- One row per care trajectory (an allocation that was not withdrawn), with its dates,
-- provider, product, referrer and waiting time. The referrer is the 315's; a Wmo allocation
-- without a request whose client the neighbourhood team referred (a STAPP referral dated at most
-- {{ var('swt_referral_days') }} days before the allocation, via linkage) has the team as referrer
-- (SWT), not the municipality (01). Grain: one row per allocation_id.
with

trajectories as (

    select * from {{ ref('int_care_trajectories') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

stop_reasons as (

    select * from {{ ref('ref_reden_beeindiging') }}

),

team_referrals as (

    select client_key, referral_date
    from {{ ref('fct_first_line_trajectories') }}
    where source = 'swt' and referral_date is not null and client_key is not null

),

referred_by_team as (

    select distinct trajectories.allocation_id
    from trajectories
    inner join team_referrals
        on
            trajectories.client_key = team_referrals.client_key
            and team_referrals.referral_date
            between trajectories.allocation_date - to_days({{ var('swt_referral_days') }})
            and trajectories.allocation_date
    where trajectories.law = 'wmo' and trajectories.request_date is null

),

referred as (

    select
        trajectories.* replace (
            case when referred_by_team.allocation_id is not null then 'SWT' else trajectories.referrer_type end
                as referrer_type
        )
    from trajectories
    left join referred_by_team
        on trajectories.allocation_id = referred_by_team.allocation_id

)

select
    referred.allocation_id,
    referred.municipality_code,
    referred.law,
    referred.client_key,
    referred.provider_agb,
    referred.product_category,
    referred.product_code,
    products.main_group,
    products.product_group,
    referred.allocation_date,
    referred.allocation_start,
    referred.allocation_end,
    referred.start_date,
    referred.end_date,
    referred.has_start_message,
    referred.has_stop_message,
    referred.stop_reason,
    referred.start_reported_on,
    referred.stop_reported_on,
    stop_reasons.name as stop_reason_name,
    stop_reasons.is_according_to_plan as ended_according_to_plan,
    referred.referrer_type,
    -- SWT is grip's own code, not in the iStandaard list the 315 is checked against
    case when referred.referrer_type = 'SWT' then 'Sociaal wijkteam' else referrers.name end as referrer_name,
    referred.request_date,
    referred.waiting_days,
    referred.volume,
    referred.unit,
    referred.unit_name,
    referred.frequency,
    referred.frequency_name

from referred
left join products
    on referred.municipality_code = products.municipality_code and referred.product_code = products.product_code
left join stop_reasons
    on referred.law = stop_reasons.law and referred.stop_reason = stop_reasons.code
left join {{ ref('ref_verwijzer_types') }} as referrers
    on referred.referrer_type = referrers.code
