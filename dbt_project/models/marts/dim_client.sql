-- Clients by pseudonymous key. Attributes come from the SUITE4 client register; a client the
-- register does not know (for example because of a mistyped BSN there) takes them from its
-- latest message, preferring a 301 (which carries the address). Grain: one row per client_key.
with

register as (

    select * from {{ ref('stg_suite4__clienten') }}

),

messages as (

    select * from {{ ref('stg_ist__berichten') }}

),

latest_message as (

    select
        client_key,
        birth_year_month,
        gender,
        wijk_code,
        -- the municipality sends 301s and receives the other client messages
        case when message_kind = '301' then sender else receiver end as municipality_code

    from messages
    where client_key is not null
    qualify row_number() over (partition by client_key
                               order by (message_kind = '301') desc, message_date desc, loaded_at desc) = 1

),

final as (

    select
        latest_message.client_key,
        coalesce(register.municipality_code, latest_message.municipality_code) as municipality_code,
        case when register.client_key is null then latest_message.wijk_code else register.wijk_code end as wijk_code,
        case when register.client_key is null then latest_message.birth_year_month
             else register.birth_year_month end as birth_year_month,
        case when register.client_key is null then latest_message.gender else register.gender end as gender,
        register.bsn_valid,
        register.client_key is not null as in_client_register

    from latest_message
    left join register
        on latest_message.client_key = register.client_key

)

select * from final
