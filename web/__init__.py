"""The Starlette web front-end: a thin layer over search.engine."""
