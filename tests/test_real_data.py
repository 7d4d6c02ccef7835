"The 46 real files of ../shared/data (skipped, saying why, in a clone without them)."
import pytest
from xlstm_study.core import shared_data_dir, SKIP_NO_DATA

def test_all_real_files_load_keyed_by_symbol_venue_period():
    d = shared_data_dir()
    if d is None: pytest.skip(SKIP_NO_DATA)
    from xlstm_study.data.candles import load_csv_dir, key_symbol
    frames = load_csv_dir(d)
    assert len(frames) == 46
    assert {key_symbol(k) for k in frames} == {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "ADAUSDT"}
    assert all(len(k.split(":")) == 3 for k in frames)
    assert sum(len(f) for f in frames.values()) == 2_232_406
