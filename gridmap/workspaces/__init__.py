"""The pages of each role, and every action that spans domains.

Where a page lives: the pages of a domain are `gridmap/workspaces/<domain>/views.py`, routed
by its `urls.py`, with its input read by Django forms in its `forms.py`; their templates are
`templates/<domain>/`. Today: `grids/` (the landing, which depends on the user's grid duties,
the grid map, my cell, a cell's page, assigning officers, the roster, coverage), `patrols/`,
`enterprises/` (the list, exports, registers, the risk map).

Every page with a map extends `templates/map_base.html` and gets its parts from
`pages.map_parts`; a list or record page with one panel extends `templates/panel_page.html`.
"""
