"""Real OpenSearch nodes for development and tests (see cluster.py); not part of the installed package."""
