-- Inflow and outflow per client, law and month. Inflow in M: in care in M, not in M-1 under
-- the same law; outflow in M: in care in M, not in M+1. Neither can be seen at the edges of
-- the reporting period. In care means in kind or with a personal budget (fct_support_months): a
-- client who moves from care in kind to a pgb has not left. Grain: one row per law, client_key, month_start and flow.
with

client_months as (

    select distinct municipality_code, law, client_key, month_start from {{ ref('fct_support_months') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

flags as (

    select
        client_months.*,
        -- inflow: no care in the month before (lag is null in a client's first month); outflow: none after
        coalesce(lag(month_start) over w <> month_start - interval 1 month, true)
        and month_start > period.first_month as is_inflow,
        coalesce(lead(month_start) over w <> month_start + interval 1 month, true)
        and month_start < period.last_month as is_outflow

    from client_months
    cross join period
    window w as (partition by law, client_key order by month_start)

)

select municipality_code, law, client_key, month_start, 'instroom' as flow from flags
where is_inflow
union all
select municipality_code, law, client_key, month_start, 'uitstroom' from flags
where is_outflow
