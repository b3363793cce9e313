-- Per wijk, how clients with ambulatory support are served: by the first line only (SWT for
-- Wmo, CJG for Jeugd), by specialist care only (Wmo Begeleiding 02, Jeugdhulp ambulant 45), or
-- by both, counted through the linkage of first-line persons to SUITE4 clients. The input for
-- wijk programming (003 §2.4). Grain: one row per municipality_code, law, period_type, period_start, wijk_code.
with

first_line_months as (

    select months.*, trajectories.client_key
    from {{ ref('int_first_line__months') }} as months
    inner join {{ ref('fct_first_line_trajectories') }} as trajectories
        on months.source = trajectories.source and months.trajectory_id = trajectories.trajectory_id

),

care_months as (

    select * from {{ ref('fct_care_months') }}
    where (law = 'wmo' and product_category = '02') or (law = 'jeugd' and product_category = '45')

),

clients as (

    select * from {{ ref('dim_client') }}

),

served as (

    -- one row per person, period and kind of help; a linked person counts as its SUITE4 client
    {%- for p in ['quarter', 'year'] %}
    {{ 'union all' if not loop.first }}
    select distinct
        case source when 'swt' then 'wmo' else 'jeugd' end as law,
        '{{ p }}' as period_type,
        date_trunc('{{ p }}', month_start)::date as period_start,
        coalesce(client_key, source || ':' || person_key) as person,
        client_key,
        wijk_code as first_line_wijk,
        'first_line' as help
    from first_line_months
    union all
    select distinct law, '{{ p }}', date_trunc('{{ p }}', month_start)::date, client_key, client_key, null, 'specialist'
    from care_months
    {%- endfor %}

),

per_person as (

    select
        law,
        period_type,
        period_start,
        person,
        -- the SUITE4 register's wijk for a known client, else the first line's
        coalesce(any_value(clients.wijk_code), any_value(first_line_wijk), 'onbekend') as wijk_code,
        coalesce(any_value(clients.municipality_code), '{{ var("municipality") }}') as municipality_code,
        bool_or(help = 'first_line') as has_first_line,
        bool_or(help = 'specialist') as has_specialist

    from served
    left join clients
        on served.client_key = clients.client_key
    group by law, period_type, period_start, person

),

final as (

    select
        municipality_code,
        law,
        period_type,
        period_start,
        wijk_code,
        count(*) filter (where has_first_line and not has_specialist) as clients_first_line_only,
        count(*) filter (where has_specialist and not has_first_line) as clients_specialist_only,
        count(*) filter (where has_first_line and has_specialist) as clients_both,
        count(*) as clients_total,
        round(100.0 * count(*) filter (where has_first_line and not has_specialist) / count(*), 1)
            as share_first_line_only_pct

    from per_person
    group by all

)

select * from final
