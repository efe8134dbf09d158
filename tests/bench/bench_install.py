"""Benchmark of the three addons' first evaluation after their installation.

Run with Odoo's Python on a database where ``make bench`` has just installed
crm_analytics (with crm_lifecycle and crm_satisfaction) on documents loaded
without the addons::

    python tests/bench/bench_install.py -c odoo.conf --db bench_install

It runs the first full recompute (every customer's lifecycle evaluation and
the value-tier ranking, as the daily crons or an administrator's "Recompute"
do after installing), commits it, and prints ``install_first_evaluation_s``,
the number of profiles made and the process's peak RSS (``key=value``
lines); ``tools/bench.sh`` adds the installation's own time.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import database_args, environment, out, peak_rss_mib


def main(argv=None):
    args = database_args(__doc__.splitlines()[0], argv, repeat=False)
    with environment(args.db) as env:
        Profile = env["crm.customer.profile"]
        if "value_tier" not in Profile._fields:
            sys.exit(f"{args.db} must have crm_analytics installed")
        start = time.perf_counter()
        Profile.recompute()
        env.flush_all()
        env.cr.commit()  # pylint: disable=invalid-commit
        out("install_first_evaluation_s", time.perf_counter() - start)
        out("install_profiles", Profile.search_count([]))
        out("install_tiered", Profile.search_count([("value_tier", "!=", False)]))
        out("install_peak_rss_mib", peak_rss_mib())


if __name__ == "__main__":
    main()
