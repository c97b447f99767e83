"""What `make test`, `make eval` and `make bench` measure with: corpora and scores, the expected texts, and
the real server stack (servers.py) and private PostgreSQL, Redis and nginx (services.py); shared by all three."""
