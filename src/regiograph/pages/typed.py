"""Data for the type-specific views (municipality, project, programme, district, dataset).

Each ``load_<view>`` runs the view's ``.rq`` files and returns what its template shows.
"""

from __future__ import annotations
