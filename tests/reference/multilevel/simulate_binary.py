"""Simulated yes/no data with a known between-region variance, for the GLMM reference.

Run from this folder:  python simulate_binary.py  (writes binary_simulated.csv; the tests read the
committed file). 8 replicate studies of 40 regions, 6 to 40 clients each (as a monitor round
has), an age band with three categories as case mix (the young answer yes less often), a
region's intercept drawn from N(0, 0.25): the true τ² is 0.25 on the logit scale.
"""

import numpy as np
import pandas as pd

TAU2, REPLICATES, REGIONS = 0.25, 8, 40
BANDS = {"under_25": -0.6, "age_25_54": 0.0, "age_55_plus": 0.4}


def simulate(seed: int = 20261207) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for rep in range(1, REPLICATES + 1):
        for j in range(1, REGIONS + 1):
            u = rng.normal(0.0, np.sqrt(TAU2))
            n = int(rng.integers(6, 41))
            bands = rng.choice(list(BANDS), size=n, p=[0.25, 0.5, 0.25])
            eta = -0.2 + np.array([BANDS[b] for b in bands]) + u
            yes = rng.random(n) < 1 / (1 + np.exp(-eta))
            rows += [{"replicate": rep, "region": f"r{j:02d}", "age_band": b, "y": int(v)}
                     for b, v in zip(bands, yes)]
    return pd.DataFrame(rows)


if __name__ == "__main__":
    simulate().to_csv("binary_simulated.csv", index=False)
