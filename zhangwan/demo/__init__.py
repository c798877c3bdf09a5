"""The demo data: the 2022 report of the Zhangwan District Federation of Trade Unions (shared/seed)
made into records, one module per dimension, each with a `load(out)` that adds only what is missing.

Product code never imports this package (tests/test_separation.py): the demo depends on the apps,
never the other way round. `manage.py load_demo` loads it; `manage.py demo_logins` prints its logins.
"""

# The order of loading: each dimension builds on those before it.
DIMENSIONS = ("registry", "accounts", "competitions", "certification", "training", "subsidies", "masters")
