with

source as (

    select * from {{ source('suite4', 'budget') }}

),

renamed as (

    select
        jaar as budget_year,
        lower(wet) as law,
        hoofdgroep as main_group,
        begroot_bedrag_cents as budget_cents,
        _delivery_id as delivery_id

    from source

)

select * from renamed
