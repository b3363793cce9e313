-- Every month a first-line person was active: with a trajectory running on at least one day of
-- it, or (CJG) a contact moment in it. Months run from the first month of the reporting
-- period to the last month the source has delivered. Grain: source, person_key, month_start,
-- trajectory_id (null for a month with contacts only).
with

trajectories as (

    select * from {{ ref('fct_first_line_trajectories') }}

),

contacts as (

    select * from {{ ref('stg_cjg__contactmomenten') }}

),

youths as (

    select * from {{ ref('stg_cjg__jeugdigen') }}

),

period as (

    select * from {{ ref('int_reporting_period') }}

),

delivered as (

    -- the last month each source covers: STAPP up to its export, CJG up to its latest quarter
    select 'swt' as source, period.last_month from period
    union all
    select
        'cjg', least(period.last_month, max(make_date(
            cast(regexp_extract(_file, 'cjg_(\d{4})Q\d', 1) as integer),
            cast(regexp_extract(_file, 'cjg_\d{4}Q(\d)', 1) as integer) * 3, 1
        )))
    from {{ source('cjg', 'trajecten') }} cross join period
    group by period.last_month

),

trajectory_months as (

    select
        trajectories.source,
        trajectories.municipality_code,
        trajectories.person_key,
        trajectories.trajectory_id,
        trajectories.product,
        trajectories.wijk_code,
        trajectories.birth_year_month,
        unnest(generate_series(
            greatest(date_trunc('month', trajectories.start_date), period.first_month),
            least(date_trunc('month', coalesce(trajectories.end_date, delivered.last_month)), delivered.last_month),
            interval 1 month
        ))::date as month_start

    from trajectories
    cross join period
    inner join delivered
        on trajectories.source = delivered.source
    where trajectories.start_date <= coalesce(trajectories.end_date, trajectories.start_date)

),

contact_months as (

    select distinct
        'cjg' as source,
        '{{ var("municipality") }}' as municipality_code,
        contacts.person_key,
        cast(null as varchar) as trajectory_id,
        'contactmoment' as product,
        youths.wijk_code,
        youths.birth_year_month,
        date_trunc('month', contacts.contact_date)::date as month_start

    from contacts
    left join youths
        on contacts.person_key = youths.person_key
    cross join period
    where contacts.contact_date between period.first_month and last_day(period.last_month)

),

final as (

    select
        *,
        {{ age_group(age_in_months('birth_year_month', 'month_start') ~ ' // 12') }} as age_group

    from (
        select * from trajectory_months
        union all
        select * from contact_months
    )

)

select * from final
