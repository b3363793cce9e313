with

source as (

    select * from {{ source('suite4', 'wachtlijst') }}

),

renamed as (

    select
        peildatum as reference_date,
        client_key,
        lower(wet) as law,
        toewijzingnummer as allocation_id,
        agb_code as provider_agb,
        productcode as product_code,
        datum_aanmelding as registered_on,
        datum_toewijzing as allocation_date,
        wachttijd_dagen as waiting_days

    from source

)

select * from renamed
