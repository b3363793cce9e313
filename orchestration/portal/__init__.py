"""The portal: one place to start for the people who steer (policy advisers, contract managers,
budget holders, the alderman), on the published warehouse.

Why server-rendered Starlette pages and not Streamlit or Dash: Starlette, uvicorn and Jinja2 come
with dagster-webserver already, so the portal adds no dependency (Streamlit would add ~60 packages,
pyarrow pins and a websocket per reader); every view is a URL with its filters in the query string,
so it can be bookmarked and mailed; pages work without JavaScript and print; and the tables, charts,
suppression and Excel are the report products' own (``orchestration/reports/document.py``), so the
portal and the reports cannot drift apart.

``app.py`` the pages and routes; ``questions.py`` the question explorer; ``money.py`` budget position
and drill-down; ``quality.py`` the data-quality state; ``templates/`` and ``static/`` what they draw.
"""
