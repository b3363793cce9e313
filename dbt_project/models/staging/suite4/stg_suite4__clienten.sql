with

source as (

    select * from {{ source('suite4', 'clienten') }}

),

renamed as (

    select
        clientnummer_key as suite4_client_key,
        client_key,
        bsn_valid,
        birth_year_month,
        case geslacht when 'M' then '1' when 'V' then '2' else '0' end as gender,
        wijk_code,
        gemeentecode as municipality_code

    from source

)

select * from renamed
