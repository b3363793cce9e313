-- CJG contact moments; a contact is delivered in the workbook of its quarter (a repeated
-- delivery does not count it twice). Grain: one row per contact_id.
with

source as (

    select * from {{ source('cjg', 'contactmomenten') }}

),

final as (

    select
        contact_id,
        cjg_id_key as person_key,
        datum as contact_date,
        soort as contact_type,
        soort = 'Informatie en advies' as is_information_and_advice

    from source
    qualify row_number() over (partition by contact_id order by _file desc, _loaded_at desc, _row desc) = 1

)

select * from final
