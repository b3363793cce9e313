-- Neighbourhood-team (SWT) trajectories from STAPP, with the client's wijk and birth year-month.
-- STAPP delivers full exports: the raw table holds the latest. Grain: one row per trajectory_id.
with

trajectories as (

    select * from {{ source('stapp', 'trajecten') }}

),

clients as (

    select * from {{ source('stapp', 'klanten') }}

),

wijken as (

    select * from {{ ref('ref_wijken') }}

),

final as (

    select
        trajectories.trajectnummer as trajectory_id,
        trajectories.klantnummer_key as person_key,
        trajectories.wijkteam as team,
        -- the client's wijk from the postcode; where that is unknown, the wijk the team works in
        coalesce(clients.wijk_code, wijken.wijk_code) as wijk_code,
        clients.birth_year_month,
        trajectories.startdatum as start_date,
        trajectories.einddatum as end_date,
        nullif(trim(trajectories.product), '') as product,
        nullif(trim(trajectories.verwijzing), '') as referral,
        trajectories.verwijsdatum as referral_date

    from trajectories
    left join clients
        on trajectories.klantnummer_key = clients.klantnummer_key
    left join wijken
        on trajectories.wijkteam like '% ' || wijken.wijk_code

)

select * from final
