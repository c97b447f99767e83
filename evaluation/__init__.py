"""What `make test`, `make eval` and `make bench` measure with: corpora and scores, shared by all three."""
