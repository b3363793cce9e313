-- CJG youths, latest known attributes. Grain: one row per person_key (the CJG's own id, hashed).
with

source as (

    select * from {{ source('cjg', 'jeugdigen') }}

),

final as (

    select
        cjg_id_key as person_key,
        wijk_code,
        birth_year_month

    from source
    qualify row_number() over (partition by cjg_id_key order by _file desc, _loaded_at desc, _row desc) = 1

)

select * from final
