-- The answers to the information questions, in one long table: per question, period and
-- cross-section (doorsnede) the value, its unit, the number of clients behind it and a status.
-- A question no delivered source answers still has one row, with its status and the reason.
-- Every period says how far the data reach (data_through, the last day of message traffic) and
-- whether it is complete: the current month, quarter and year are not, and say so.
-- Grain: question_id, law, period_type, period_start, cross_section, member, unit.
with

answers as (

    {%- for model in ['int_answers__clients_and_flows', 'int_answers__care_paths', 'int_answers__booked_and_budget',
                      'int_answers__cost_and_invoicing', 'int_answers__waiting', 'int_answers__volume',
                      'int_answers__wmo_process', 'int_answers__first_line', 'int_answers__quality_of_care'] %}
    {{ 'union all' if not loop.first }}
    select * from {{ ref(model) }}
    {%- endfor %}

),

dated as (

    select
        *,
        case period_type
            when 'month' then last_day(period_start)
            when 'quarter' then last_day(period_start + interval 2 month)
            when 'year' then make_date(year(period_start), 12, 31)
        end as period_end

    from answers

),

catalogue as (

    select * from {{ ref('question_catalogue') }}

),

question_elements as (

    select * from {{ ref('dq_question_elements') }}

),

data_elements as (

    select * from {{ ref('dq_data_elements') }}

),

feed_deliveries as (

    select * from {{ ref('int_feed_deliveries') }}

),

reporting_period as (

    select * from {{ ref('int_reporting_period') }}

),

-- the sources a question's core elements come from that never delivered, named for the reader
undelivered_tables as (

    select
        question_elements.question_id,
        data_elements.source,
        string_agg(distinct feed_deliveries.table_name, ', ' order by feed_deliveries.table_name) as tables

    from question_elements
    inner join data_elements
        on question_elements.element_id = data_elements.element_id
    inner join feed_deliveries
        on data_elements.table_name = feed_deliveries.table_name
    where question_elements.role = 'kern' and not feed_deliveries.is_delivered
    group by question_elements.question_id, data_elements.source

),

undelivered as (

    select
        question_id,
        string_agg(source || ' (' || tables || ')', '; ' order by source) as sources
    from undelivered_tables
    group by question_id

),

answered as (

    select
        answers.question_id,
        catalogue.text_nl as question_text,
        answers.municipality_code,
        answers.law,
        answers.period_type,
        answers.period_start,
        answers.period_end,
        reporting_period.data_through,
        answers.period_end <= reporting_period.data_through as is_complete,
        answers.cross_section,
        cast(answers.member as varchar) as member,
        cast(answers.value as double) as value,
        answers.unit,
        answers.n_clients,
        case
            when
                catalogue.question_group = 'first_line' and answers.law = 'wmo'
                and answers.period_start < date '{{ var("stapp_reliable_from") }}' then 'onbetrouwbaar'
            else catalogue.answer_status
        end as status,
        case
            when
                catalogue.question_group = 'first_line' and answers.law = 'wmo'
                and answers.period_start < date '{{ var("stapp_reliable_from") }}'
                then 'STAPP bevat geen betrouwbare gegevens van voor juni 2018 (003 §2.2.3).'
            else nullif(catalogue.status_reason, '')
        end as status_reason

    from dated as answers
    inner join catalogue
        on answers.question_id = catalogue.question_id
    cross join reporting_period

),

unanswered as (

    select
        catalogue.question_id,
        catalogue.text_nl,
        '{{ var("municipality") }}',
        catalogue.law,
        cast(null as varchar),
        cast(null as date),
        cast(null as date),
        cast(null as date),
        cast(null as boolean),
        'none',
        'totaal',
        cast(null as double),
        catalogue.unit,
        cast(null as bigint),
        case
            -- no system registers it at all: that stays the stronger statement
            when catalogue.missing_status = 'niet_geregistreerd' then catalogue.missing_status
            when undelivered.sources is not null then 'bron_niet_geleverd'
            else catalogue.missing_status
        end,
        case
            when catalogue.missing_status = 'niet_geregistreerd' or undelivered.sources is null
                then coalesce(
                    nullif(catalogue.status_reason, ''), 'De geleverde bronnen bevatten geen gegevens voor deze vraag.'
                )
            else 'Bron niet geleverd: ' || undelivered.sources || '. De vraag wordt beantwoord zodra deze bron levert.'
        end

    from catalogue
    left join undelivered
        on catalogue.question_id = undelivered.question_id
    where catalogue.question_id not in (select question_id from answers)

)

select * from answered
union all
select * from unanswered
