-- Clients by pseudonymous key: everyone in the message traffic and every client of a personal
-- budget (pgb) from the SVB. Attributes come from the SUITE4 client register; a client the
-- register does not know (for example because of a mistyped BSN there) takes them from its
-- latest message, preferring a 301 (which carries the address); a pgb client known to neither has
-- none. financing says whether the client has care in kind (an allocation), a pgb, or both.
-- Grain: one row per client_key.
with

register as (

    select * from {{ ref('stg_suite4__clienten') }}

),

-- A BSN under several client numbers (a mistyped or placeholder BSN that different people
-- share) says nothing certain about the person: such a key takes its attributes from its
-- latest message, like a client the register does not know. Found at scale 10, where 28 keys
-- were shared and dim_client held two rows for each.
register_unique as (

    select * from register
    qualify count(*) over (partition by client_key) = 1

),

register_keys as (

    select client_key, bool_and(bsn_valid) as bsn_valid
    from register
    group by client_key

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
    qualify row_number() over (
        partition by client_key
        order by (message_kind = '301') desc, message_date desc, loaded_at desc
    ) = 1

),

pgb_clients as (

    select client_key, min(municipality_code) as municipality_code
    from {{ ref('stg_svb__toekenningen') }}
    where client_key is not null
    group by client_key

),

in_kind_clients as (

    select distinct client_key from {{ ref('int_allocations') }}

),

-- the message traffic's clients, then pgb clients the traffic does not know
clients as (

    select client_key from latest_message
    union
    select client_key from pgb_clients

),

final as (

    select
        clients.client_key,
        coalesce(
            register_unique.municipality_code, latest_message.municipality_code, pgb_clients.municipality_code
        ) as municipality_code,
        case
            when register_unique.client_key is null then latest_message.wijk_code
            else register_unique.wijk_code
        end as wijk_code,
        case
            when register_unique.client_key is null then latest_message.birth_year_month
            else register_unique.birth_year_month
        end as birth_year_month,
        case
            when register_unique.client_key is null then latest_message.gender
            else register_unique.gender
        end as gender,
        register_keys.bsn_valid,
        register_keys.client_key is not null as in_client_register,
        in_kind_clients.client_key is not null as has_care_in_kind,
        pgb_clients.client_key is not null as has_pgb,
        case
            when in_kind_clients.client_key is not null and pgb_clients.client_key is not null then 'beide'
            when pgb_clients.client_key is not null then 'pgb'
            when in_kind_clients.client_key is not null then 'zin'
        end as financing

    from clients
    left join latest_message
        on clients.client_key = latest_message.client_key
    left join register_unique
        on clients.client_key = register_unique.client_key
    left join register_keys
        on clients.client_key = register_keys.client_key
    left join pgb_clients
        on clients.client_key = pgb_clients.client_key
    left join in_kind_clients
        on clients.client_key = in_kind_clients.client_key

)

select * from final
