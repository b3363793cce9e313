-- First-line trajectories: the neighbourhood teams (SWT, from STAPP) and the CJG, with the
-- SUITE4 client each person is linked to where linkage found one.
-- Grain: one row per source and trajectory_id.
with

swt as (

    select * from {{ ref('stg_stapp__trajecten') }}

),

cjg as (

    select * from {{ ref('stg_cjg__trajecten') }}

),

youths as (

    select * from {{ ref('stg_cjg__jeugdigen') }}

),

links as (

    select * from {{ source('linkage', 'client_links') }}

),

unioned as (

    -- the linkage names the system a person comes from: STAPP holds the neighbourhood teams' persons
    select
        'swt' as source, 'stapp' as linkage_source, 'wmo' as law, trajectory_id, person_key, team, wijk_code, birth_year_month, product,
        start_date, end_date, referral, referral_date
    from swt
    union all
    select
        'cjg', 'cjg', 'jeugd', cjg.trajectory_id, cjg.person_key, null, youths.wijk_code, youths.birth_year_month,
        cjg.product, cjg.start_date, cjg.end_date, null, null
    from cjg
    left join youths
        on cjg.person_key = youths.person_key

),

final as (

    select
        unioned.source,
        unioned.law,
        unioned.trajectory_id,
        unioned.person_key,
        links.client_key,
        links.match_probability,
        '{{ var("municipality") }}' as municipality_code,
        unioned.team,
        unioned.wijk_code,
        unioned.birth_year_month,
        coalesce(unioned.product, 'onbekend') as product,
        unioned.start_date,
        unioned.end_date,
        datediff('day', unioned.start_date, unioned.end_date) + 1 as duration_days,
        unioned.referral,
        unioned.referral_date,
        unioned.source <> 'swt' or unioned.start_date >= date '{{ var("stapp_reliable_from") }}' as is_reliable

    from unioned
    left join links
        on unioned.linkage_source = links.source and unioned.person_key = links.source_key

)

select * from final
