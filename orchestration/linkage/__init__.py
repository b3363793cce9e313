"""Linkage: STAPP and CJG persons linked to SUITE4 clients (the only layer besides ingest that sees names)."""

from dagster import Definitions

from .assets import client_links

defs = Definitions(assets=[client_links])
