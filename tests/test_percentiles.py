"""The doctor's percentiles and medians are numpy's, NaNs left out, for arrays and for rows."""

import numpy as np
import pytest

from voiceclone.percentiles import median, percentile, row_percentiles


@pytest.mark.parametrize("size", [1, 2, 7, 50, 1001])
def test_the_same_numbers_as_numpy(size):
    values = np.random.default_rng(size).normal(size=size)
    for percent in (0, 10, 25, 50, 75, 90, 100):
        assert percentile(values, percent) == pytest.approx(np.percentile(values, percent), abs=1e-12)
    assert median(values) == pytest.approx(np.median(values), abs=1e-12)


def test_rows_leave_out_their_nans_and_a_row_of_nans_has_none():
    values = np.random.default_rng(3).normal(size=(40, 25))
    values[values > 1.2] = np.nan
    values[7] = np.nan
    for percent in (25, 50, 75, 90):
        (found,) = row_percentiles(values, (percent,))
        with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
            expected = np.nanpercentile(values, percent, axis=1)
        assert np.allclose(found, expected, equal_nan=True)
    assert np.isnan(median(np.full(4, np.nan)))
