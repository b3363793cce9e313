with

providers as (

    select * from {{ ref('stg_suite4__aanbieders') }}

)

select
    provider_agb,
    provider_name,
    provider_city,
    is_contracted_wmo,
    is_contracted_jeugd,
    contract_start_date

from providers
