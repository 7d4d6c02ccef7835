"""The backtest's trading figures against empyrical-reloaded (a maintained fork of Quantopian's empyrical): the same
conventions (CAGR, ddof-1 volatility and Sharpe, Sortino's downside deviation over all bars, drawdown anchored at the
starting capital), so the study's numbers can be compared with anything reported through that library."""
import numpy as np
import pytest
from xlstm_study.trading.simulation import _simulate

import empyrical as ep       # a dev dependency (pyproject: dev): a missing install fails here, not silently

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trading_figures_match_empyrical(seed):
    rng = np.random.default_rng(seed)
    r = rng.normal(0.0002, 0.01, 2_000) * (1 + 3 * (rng.random(2_000) < 0.02))   # a few fat-tailed bars
    n, bpy = len(r), 525_600
    start = np.zeros(n, bool); start[0] = True; end = np.zeros(n, bool); end[-1] = True
    m = _simulate(r, np.ones(n), start, end, 0.0, bpy).metrics()
    kw = dict(annualization=bpy)
    assert m["annual_return"] == pytest.approx(ep.annual_return(r, **kw), rel=1e-9)
    assert m["annual_volatility"] == pytest.approx(ep.annual_volatility(r, **kw), rel=1e-9)
    assert m["sharpe"] == pytest.approx(ep.sharpe_ratio(r, **kw), rel=1e-9)
    assert m["sortino"] == pytest.approx(ep.sortino_ratio(r, **kw), rel=1e-9)
    assert m["max_drawdown"] == pytest.approx(ep.max_drawdown(r), rel=1e-9)
    assert m["calmar"] == pytest.approx(ep.calmar_ratio(r, **kw), rel=1e-9)

def test_var_matches_empyrical():
    from xlstm_study.trading.risk import var_historical
    r = np.random.default_rng(3).standard_t(5, 50_000) * 0.01
    # empyrical's value_at_risk is the (1 - level) percentile of the returns (negative); ours reports the loss (positive)
    assert var_historical(r, 0.95)[0] == pytest.approx(-ep.value_at_risk(r, cutoff=0.05), rel=1e-6)
    assert var_historical(r, 0.95)[1] == pytest.approx(-ep.conditional_value_at_risk(r, cutoff=0.05), rel=1e-2)
