-- The contract-management register as delivered: characteristics only contract management knows
-- (soort kenmerk: financial trouble, an improvement plan) and actions agreed with a provider (soort
-- afspraak). A full register: the latest file replaces the previous one at the door.
-- Grain: one row per row of the latest delivered register.
with

source as (

    select * from {{ source('contractmanagement', 'register') }}

),

final as (

    select
        trim(agb_code) as provider_agb,
        nullif(lower(trim(wet)), '') as law,
        lower(trim(soort)) as register_kind,
        datum as registered_on,
        trim(omschrijving) as description,
        lower(trim(status)) as status,
        streefdatum as due_on

    from source

)

select * from final
