"""Analytics: the change log of sessions, leases, calls and callbacks as partitioned
Parquet, and the reports over it (Athena in AWS, DuckDB on this machine)."""
