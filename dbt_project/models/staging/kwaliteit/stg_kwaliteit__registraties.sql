-- Complaints (klachten), objections (bezwaren) and Jeugd client-experience scores. No source
-- delivers them yet (003 §2.2.3); once one does, W35, W36 and J23 fill without code changes.
-- Grain: one row per registration_id.
with

source as (

    select * from {{ source('kwaliteit', 'registraties') }}

),

final as (

    select
        registratienummer as registration_id,
        lower(trim(soort)) as registration_type,
        lower(trim(wet)) as law,
        datum as registered_on,
        agb_code as provider_agb,
        case when oordeel between 1 and 5 then oordeel end as score

    from source
    qualify row_number() over (partition by registratienummer order by _loaded_at desc, _row desc) = 1

)

select * from final
