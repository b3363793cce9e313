-- Personal budgets per month: granted, paid and unspent per grant and month within the reporting
-- period. The granted amount is spread over the grant's calendar months in proportion to the days
-- of each month it covers (a whole month weighs 1); cents are apportioned cumulatively, so the
-- months of a grant add up to its amount to the cent. Paid is what the SVB paid for care in that
-- month (by zorgmaand, corrections included), so a month's money is the care of that month, as for
-- invoices in kind. Unspent is granted minus paid.
-- Grain: one row per grant_id and month_start.
with

grants as (

    select * from {{ ref('fct_pgb_grants') }}

),

payments as (

    select grant_id, care_month as month_start, sum(amount_cents) as paid_cents
    from {{ ref('fct_pgb_payments') }}
    where is_booked
    group by all

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

grant_months as (

    select
        grants.grant_id,
        unnest(generate_series(
            date_trunc('month', grants.start_date), date_trunc('month', grants.end_date), interval 1 month
        ))::date as month_start

    from grants
    where grants.start_date <= grants.end_date

),

weighted as (

    select
        grant_months.grant_id,
        grant_months.month_start,
        (
            least(last_day(grant_months.month_start), grants.end_date)
            - greatest(grant_months.month_start, grants.start_date) + 1
        ) / day(last_day(grant_months.month_start)) as weight,
        grants.granted_cents

    from grant_months
    inner join grants
        on grant_months.grant_id = grants.grant_id

),

apportioned as (

    -- the previous month's cumulative weight from lag (not cumulative minus weight), so the months
    -- telescope to the grant's amount exactly whatever the floating-point weights
    select
        grant_id,
        month_start,
        granted_cents,
        sum(weight) over (partition by grant_id order by month_start) as cumulative,
        sum(weight) over (partition by grant_id) as total

    from weighted

),

granted as (

    select
        grant_id,
        month_start,
        cast(
            floor(granted_cents * cumulative / total)
            - floor(granted_cents * lag(cumulative, 1, 0) over (partition by grant_id order by month_start) / total)
            as bigint
        ) as granted_cents

    from apportioned

),

months as (

    select
        coalesce(granted.grant_id, payments.grant_id) as grant_id,
        coalesce(granted.month_start, payments.month_start) as month_start,
        coalesce(granted.granted_cents, 0) as granted_cents,
        coalesce(payments.paid_cents, 0) as paid_cents,
        granted.grant_id is not null as is_granted_month

    from granted
    full outer join payments
        on granted.grant_id = payments.grant_id and granted.month_start = payments.month_start

),

final as (

    select
        months.month_start,
        months.grant_id,
        grants.municipality_code,
        grants.law,
        grants.product_code,
        grants.product_category,
        grants.main_group,
        grants.client_key,
        months.granted_cents,
        months.paid_cents,
        months.granted_cents - months.paid_cents as unspent_cents,
        months.is_granted_month

    from months
    inner join grants
        on months.grant_id = grants.grant_id
    cross join period
    where months.month_start between period.first_month and period.last_month

)

select * from final
