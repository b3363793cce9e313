with

source as (

    select * from {{ source('ist', 'starts') }}

),

renamed as (

    select
        afzender || '-' || identificatie as message_id,
        law,
        afzender as provider_agb,
        dagtekening as message_date,
        identificatie as identification,
        client_key,
        _pos as line_position,
        toewijzing_nummer as allocation_id,
        productcategorie as product_category,
        productcode as product_code,
        toewijzing_ingangsdatum as allocation_start,
        begindatum as care_start,

        status_aanlevering as delivery_status,
        _file as file_name,
        _loaded_at as loaded_at

    from source

)

select * from renamed
