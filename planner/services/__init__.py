"""Use cases above the optimizer, the analysis and the store: solves as jobs, batch re-plans."""
