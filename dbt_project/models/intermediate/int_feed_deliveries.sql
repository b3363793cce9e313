-- Per raw table: whether its feed ever delivered, and when first and last. A source the municipality
-- does not deliver (yet) has no loaded delivery: the questions resting on it say so (question_answers).
-- Grain: one row per raw table (table_name, schema-qualified as the data-element catalogue names it).
with

feed_tables as (

    select * from {{ source('ingest', 'feed_tables') }}

),

loaded as (

    select
        source,
        entity as feed,
        count(*) as deliveries,
        min(processed_at) as first_loaded_at,
        max(processed_at) as last_loaded_at
    from {{ source('ingest', 'ingest_log') }}
    where status = 'loaded'
    group by all

)

select
    'raw.' || feed_tables.table_name as table_name,
    feed_tables.feed,
    feed_tables.source,
    coalesce(loaded.deliveries, 0) as deliveries,
    loaded.deliveries is not null as is_delivered,
    loaded.first_loaded_at,
    loaded.last_loaded_at

from feed_tables
left join loaded
    on feed_tables.source = loaded.source and feed_tables.feed = loaded.feed
