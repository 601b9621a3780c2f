"""Speed benchmarks: indexing, queries, the web API, against anchors measured in the same run."""
