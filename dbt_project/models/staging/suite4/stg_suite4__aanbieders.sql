with

source as (

    select * from {{ source('suite4', 'aanbieders') }}

),

renamed as (

    select
        agb_code as provider_agb,
        naam as provider_name,
        vestigingsplaats as provider_city,
        gecontracteerd_wmo as is_contracted_wmo,
        gecontracteerd_jeugd as is_contracted_jeugd,
        startdatum_contract as contract_start_date

    from source

)

select * from renamed
