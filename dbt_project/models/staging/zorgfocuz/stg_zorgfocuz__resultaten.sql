-- ZorgfocuZ client-experience answers, one row per respondent and statement (answered or
-- not). Anonymous: no client, provider or wijk. Grain: one row per survey_year, respondent_id, statement.
with

source as (

    select * from {{ source('zorgfocuz', 'resultaten') }}
    qualify row_number() over (partition by onderzoeksjaar, respondentnummer order by _loaded_at desc, _row desc) = 1

),

unpivoted as (

    {%- for i in range(1, 10) %}
    {{ 'union all' if not loop.first }}
    select
        onderzoeksjaar, respondentnummer, leeftijdsklasse, voorziening, 'stelling_{{ i }}' as statement,
        stelling_{{ i }} as answer
    from source
    {%- endfor %}

),

final as (

    select
        onderzoeksjaar as survey_year,
        respondentnummer as respondent_id,
        leeftijdsklasse as age_class,
        voorziening as provision,
        statement,
        case when answer between 1 and 5 then answer end as answer

    from unpivoted

)

select * from final
