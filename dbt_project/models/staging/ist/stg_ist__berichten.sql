with

source as (

    select * from {{ source('ist', 'berichten') }}

),

renamed as (

    select
        afzender || '-' || identificatie as message_id,
        law,
        kind as message_kind,
        afzender as sender,
        ontvanger as receiver,
        identificatie as identification,
        dagtekening as message_date,
        client_key,
        bsn_valid,
        birth_year_month,
        gender,
        wijk_code,
        _file as file_name,
        _loaded_at as loaded_at

    from source

)

select * from renamed
