-- The answers to the information questions, in one long table: per question, period and
-- cross-section (doorsnede) the value, its unit, the number of clients behind it and a status.
-- A question no delivered source answers still has one row, with its status and the reason.
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

catalogue as (

    select * from {{ ref('question_catalogue') }}

),

answered as (

    select
        answers.question_id,
        catalogue.text_nl as question_text,
        answers.municipality_code,
        answers.law,
        answers.period_type,
        answers.period_start,
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

    from answers
    inner join catalogue
        on answers.question_id = catalogue.question_id

),

unanswered as (

    select
        catalogue.question_id,
        catalogue.text_nl,
        '{{ var("municipality") }}',
        catalogue.law,
        cast(null as varchar),
        cast(null as date),
        'none',
        'totaal',
        cast(null as double),
        catalogue.unit,
        cast(null as bigint),
        catalogue.missing_status,
        coalesce(nullif(catalogue.status_reason, ''), 'De geleverde bronnen bevatten geen gegevens voor deze vraag.')

    from catalogue
    where catalogue.question_id not in (select question_id from answers)

)

select * from answered
union all
select * from unanswered
