-- Wmo work processes: SUITE4 delivers a process again in every month one of its dates was set.
-- Each field takes its latest plausible value over those deliveries: dates after the end of
-- the delivery's month (31-12-2999, a year typed ten years ahead) and text holding only '-'
-- count as not filled. Grain: one row per process_id.
with

source as (

    select * from {{ source('suite4', 'werkprocessen') }}

),

delivered as (

    select
        *,
        last_day(strptime(regexp_extract(_file, '(\d{6})\.csv$', 1), '%Y%m'))::date as delivery_month_end

    from source

),

plausible as (

    select
        procesnummer as process_id,
        client_key,
        soort as process_type,
        spoed as is_urgent,
        {%- for col, alias in [('datum_melding', 'report_date'), ('datum_start_onderzoek', 'investigation_start'),
                               ('datum_einde_onderzoek', 'investigation_end'), ('datum_aanvraag', 'application_date'),
                               ('datum_beschikking', 'decision_date')] %}
        case when {{ col }} <= delivery_month_end then {{ col }} end as {{ alias }},
        {%- endfor %}
        nullif(trim(uitkomst), '-') as outcome,
        nullif(trim(productcategorie), '-') as product_category,
        nullif(trim(team), '-') as team,
        _loaded_at,
        delivery_month_end,
        _row

    from delivered

),

final as (

    select
        process_id,
        {%- for col in ['client_key', 'process_type', 'is_urgent', 'report_date', 'investigation_start',
                        'investigation_end', 'application_date', 'decision_date', 'outcome', 'product_category', 'team'] %}
        arg_max({{ col }}, (delivery_month_end, _loaded_at, _row)) filter (where {{ col }} is not null) as {{ col }},
        {%- endfor %}
        max(delivery_month_end) as last_delivered_month_end

    from plausible
    group by process_id

)

select * from final
