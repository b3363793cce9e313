with

source as (

    select * from {{ source('suite4', 'budget') }}

),

renamed as (

    select
        -- a register without gemeentecode is a single municipality's: the first of GRIP_MUNICIPALITY
        coalesce(nullif(trim(gemeentecode), ''), '{{ var("municipality") }}') as municipality_code,
        jaar as budget_year,
        lower(wet) as law,
        hoofdgroep as main_group,
        begroot_bedrag_cents as budget_cents,
        _delivery_id as delivery_id

    from source

)

select * from renamed
