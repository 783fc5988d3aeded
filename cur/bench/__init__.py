"""`make bench`: benchmarks of the platform at scale (not timed tests).

Each benchmark prints `BENCH <name> <value> <unit>` lines and, where it applies, the bare minimum
on the same data in the same run (a raw COPY, a single GROUP BY), so a figure can be judged.
Benchmarks run on a database of their own (`cur_bench`), never on the demo data of `make run`.
"""
