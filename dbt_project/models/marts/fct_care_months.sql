-- Every month in which a trajectory was in care on at least one day, within the reporting
-- period; the basis of clients in care, inflow and outflow by any cross-section.
-- Grain: one row per allocation_id per month.
with

trajectories as (

    select * from {{ ref('fct_care_trajectories') }}

),

clients as (

    select * from {{ ref('dim_client') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

months as (

    select
        trajectories.*,
        unnest(generate_series(
            greatest(date_trunc('month', trajectories.start_date), period.first_month),
            least(date_trunc('month', coalesce(trajectories.end_date, period.last_month)), period.last_month),
            interval 1 month
        ))::date as month_start

    from trajectories
    cross join period
    where trajectories.start_date <= coalesce(trajectories.end_date, trajectories.start_date)

),

final as (

    select
        months.month_start,
        months.allocation_id,
        months.municipality_code,
        months.law,
        months.client_key,
        months.provider_agb,
        months.product_category,
        months.product_code,
        months.main_group,
        months.referrer_type,
        clients.wijk_code,
        clients.gender,
        {{ age_in_months('clients.birth_year_month', 'months.month_start') }} // 12 as age_years,
        {{ age_group(age_in_months('clients.birth_year_month', 'months.month_start') ~ ' // 12') }} as age_group

    from months
    left join clients
        on months.client_key = clients.client_key

)

select * from final
