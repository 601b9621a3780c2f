"""Ingest: source files to Article records, Indonesian analysis, the Whoosh schema and writer."""
