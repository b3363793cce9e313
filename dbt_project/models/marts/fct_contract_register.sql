-- What contract management registers about providers, for the provider overview and the risk
-- profile: a characteristic (kenmerk) that is `actief` is the fifth risk characteristic of 000 §4
-- (financial trouble, an improvement plan); an agreement (afspraak) is shown with its status on
-- the provider's page. Grain: one row per row of the latest delivered register.
with

register as (

    select * from {{ ref('stg_contractmanagement__register') }}

),

providers as (

    select * from {{ ref('dim_provider') }}

),

final as (

    select
        register.provider_agb,
        providers.provider_name,
        register.law,
        register.register_kind,
        case register.register_kind
            when 'kenmerk' then 'kenmerk'
            when 'afspraak' then 'afspraak'
            else 'onbekend: ' || register.register_kind
        end as kind_name,
        register.registered_on,
        register.description,
        register.status,
        register.due_on,
        register.register_kind = 'kenmerk' and register.status = 'actief' as is_active_characteristic,
        providers.provider_agb is not null as is_known_provider

    from register
    left join providers
        on register.provider_agb = providers.provider_agb

)

select * from final
