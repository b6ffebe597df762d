"""Table models through the binding: columns, sample_table's dict and DataFrame forms, where=,
first=, and the errors, on a small table fitted with `ae augment fit`."""
import datetime

import numpy as np
import pytest

import autoencoder
from autoencoder import InvalidArgumentError, Model, UnsupportedError
from ae_tool import ae

ROWS = 400
START = datetime.date(2024, 1, 1)


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A CSV of 400 rows: group A or B (x near 0 in A, near 10 in B), flag true/false, count a
    whole number missing in a fifth of the rows, day a date in 2024's first 60 days; the table
    model `ae augment fit` makes of it, and a dense model that is not a table model."""
    folder = tmp_path_factory.mktemp("table")
    rng = np.random.default_rng(11)
    groups = np.where(np.arange(ROWS) % 2 == 0, "A", "B")
    x = np.where(groups == "A", 0.0, 10.0) + rng.uniform(-1.5, 1.5, ROWS)
    flags = np.where(rng.random(ROWS) < 0.3, "true", "false")
    counts = rng.integers(0, 21, ROWS)
    days = [START + datetime.timedelta(days=int(d)) for d in rng.integers(0, 60, ROWS)]
    with open(folder / "table.csv", "w") as file:
        file.write("group,flag,count,x,day\n")
        for i in range(ROWS):
            count = "" if i % 5 == 3 else str(counts[i])
            file.write(f"{groups[i]},{flags[i]},{count},{x[i]:.3f},{days[i].isoformat()}\n")
    ae("augment", "fit", folder / "table.csv", "--out", folder / "table.h5", "--epochs", 150, "--batch-size", 50,
       "--seed", 3, "--quiet")
    dense = np.column_stack([x, counts, rng.random((ROWS, 4))]).astype(np.float32)
    np.savetxt(folder / "dense.csv", dense, delimiter=",", fmt="%g")
    ae("train", "--layers", "4,2", "--loss", "mse", "--scale", "standard", "--epochs", 1, "--data", folder / "dense.csv",
       "--out", folder / "dense.h5", "--quiet")
    present = counts[np.arange(ROWS) % 5 != 3]
    seconds = [(d - START).days * 86400 + 1704067200 for d in days]  # 2024-01-01 is 1704067200 s after 1970
    return {"model": folder / "table.h5", "dense": folder / "dense.h5", "x": (x.min(), x.max()),
            "count": (present.min(), present.max()), "day": (min(seconds), max(seconds))}


def test_columns_match_the_csv(table):
    with Model(table["model"]) as model:
        assert model.is_table
        columns = model.table_columns
        assert [c.name for c in columns] == ["group", "flag", "count", "x", "day"]
        assert [c.kind for c in columns] == ["categorical", "boolean", "integer", "continuous", "datetime"]
        assert columns[0].categories == ("A", "B") and columns[1].categories == ("false", "true")
        assert [c.categories for c in columns[2:]] == [None, None, None]
        assert [c.condition for c in columns] == [True, True, False, False, False]
    with Model(table["dense"]) as dense:
        assert not dense.is_table and dense.table_columns == ()


def test_dict_form_holds_plausible_values(table):
    with Model(table["model"]) as model:
        rows = model.sample_table(1000, seed=5, as_frame=False)
    assert list(rows) == ["group", "flag", "count", "x", "day"]
    assert set(rows["group"]) <= {"A", "B"} and set(rows["flag"]) <= {"false", "true"}
    assert rows["x"].dtype == np.float64 and table["x"][0] <= rows["x"].min() and rows["x"].max() <= table["x"][1]
    # count had missing cells, so the model draws some: float64 with NaN, whole numbers otherwise.
    count = rows["count"]
    assert count.dtype == np.float64 and np.isnan(count).any()
    present = count[~np.isnan(count)]
    assert np.all(present == np.round(present)) and table["count"][0] <= present.min() and present.max() <= table["count"][1]
    day = rows["day"]
    assert day.dtype == np.dtype("datetime64[s]") and not np.isnat(day).any()
    seconds = day.astype(np.int64)
    assert np.all(seconds % 86400 == 0) and table["day"][0] <= seconds.min() and seconds.max() <= table["day"][1]


def test_integers_without_missing_cells_are_int64():
    columns = (autoencoder.TableColumn("n", "integer", None, False),)
    from autoencoder._table import to_arrays
    assert to_arrays(np.array([[3.0], [4.0]]), columns)["n"].dtype == np.int64
    assert np.isnan(to_arrays(np.array([[3.0], [np.nan]]), columns)["n"][1])


def test_same_seed_same_rows_and_first_continues_a_long_sample(table):
    with Model(table["model"]) as model:
        a = model.sample_table(300, seed=7, as_frame=False)
        b = model.sample_table(300, seed=7, as_frame=False)
        other = model.sample_table(300, seed=8, as_frame=False)
        chunk = model.sample_table(60, seed=7, first=200, as_frame=False)
    for name in a:
        assert np.array_equal(a[name], b[name], equal_nan=True) if a[name].dtype.kind == "f" else np.array_equal(a[name], b[name])
    assert not np.array_equal(a["x"], other["x"])
    # Rows 200.. of the long call: categories equal in >= 99% of cells, numbers to 1e-9 relative
    # (other batch shapes may change the last bits).
    same = sum(np.sum(a[name][200:260] == chunk[name]) for name in ("group", "flag"))
    assert same >= 0.99 * 120
    rows = a["group"][200:260] == chunk["group"]
    np.testing.assert_allclose(chunk["x"][rows], a["x"][200:260][rows], rtol=1e-9)


def test_where_fixes_a_column_and_moves_the_others(table):
    with Model(table["model"]) as model:
        b = model.sample_table(1000, seed=2, where={"group": "B"}, as_frame=False)
        a = model.sample_table(1000, seed=2, where={"group": "A", "flag": True}, as_frame=False)
    assert set(b["group"]) == {"B"} and set(a["group"]) == {"A"} and set(a["flag"]) == {"true"}
    # In the CSV, x is near 10 in group B and near 0 in group A.
    assert b["x"].mean() > 5 > a["x"].mean()


def test_dataframe_form(table):
    pd = pytest.importorskip("pandas", reason="pandas is not installed: the DataFrame form is optional "
                                              "(pip install pandas to test it)")
    with Model(table["model"]) as model:
        frame = model.sample_table(500, seed=5)
        rows = model.sample_table(500, seed=5, as_frame=False)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["group", "flag", "count", "x", "day"]
    assert isinstance(frame["group"].dtype, pd.CategoricalDtype) and list(frame["group"].cat.categories) == ["A", "B"]
    assert list(frame["flag"].cat.categories) == ["false", "true"]
    assert list(frame["group"].astype(str)) == list(rows["group"])
    assert str(frame["count"].dtype) == "Int64" and frame["count"].isna().sum() == np.isnan(rows["count"]).sum() > 0
    assert frame["x"].dtype == np.float64 and np.array_equal(frame["x"].to_numpy(), rows["x"])
    assert frame["day"].dtype == np.dtype("datetime64[s]") and np.array_equal(frame["day"].to_numpy(), rows["day"])


def test_without_pandas_as_frame_true_says_what_to_do(table, monkeypatch):
    import autoencoder.model
    monkeypatch.setattr(autoencoder.model, "pandas_available", lambda: False)
    with Model(table["model"]) as model:
        assert isinstance(model.sample_table(3, as_frame=None), dict)
        with pytest.raises(InvalidArgumentError, match="needs pandas"):
            model.sample_table(3, as_frame=True)


def test_errors_are_clear(table):
    with Model(table["model"]) as model:
        with pytest.raises(InvalidArgumentError, match="no column 'colour'.*'group'"):
            model.sample_table(3, where={"colour": "A"})
        with pytest.raises(InvalidArgumentError, match="'C' is not a category of column 'group'.*'A', 'B'"):
            model.sample_table(3, where={"group": "C"})
        with pytest.raises(InvalidArgumentError, match="column 'x' .* cannot be fixed.*'group', 'flag'"):
            model.sample_table(3, where={"x": 1.0})
        with pytest.raises(InvalidArgumentError, match="n must be at least 1"):
            model.sample_table(0)
        with pytest.raises(InvalidArgumentError, match="first"):
            model.sample_table(3, first=-1)
        with pytest.raises(autoencoder.ArgumentTypeError, match="where must be a dict"):
            model.sample_table(3, where=["group", "A"])
        # The calls on float rows name the call and the way out.
        with pytest.raises(UnsupportedError, match=r"encode\(\) .* table model .* sample_table"):
            model.encode(np.zeros(model.input_dim))
        with pytest.raises(UnsupportedError, match=r"sample\(\) .* table model"):
            model.sample(2, seed=1)
    with Model(table["dense"]) as dense:
        with pytest.raises(UnsupportedError, match="needs a table model"):
            dense.sample_table(3)


def test_the_library_checks_fixed_values_too(table):
    """Below the binding: ae_sample_table refuses a fixed value that is not a category index of
    a condition column, and a model that is not a table model."""
    import ctypes
    from autoencoder import _lib
    with Model(table["model"]) as model, Model(table["dense"]) as dense:
        out = np.empty((2, 5))
        fixed = np.array([2.0, np.nan, np.nan, np.nan, np.nan])
        status = _lib.ae_sample_table(model._handle, None, 2, 1, 0, fixed.ctypes.data, out.ctypes.data)
        assert status == autoencoder.Status.INVALID_ARGUMENT and b"group" in _lib.ae_last_error()
        status = _lib.ae_sample_table(dense._handle, None, 2, 1, 0, None, out.ctypes.data)
        assert status == autoencoder.Status.UNSUPPORTED and b"not a table model" in _lib.ae_last_error()
        assert _lib.ae_table_column_name(dense._handle, 0) is None
        assert _lib.ae_sample_table(model._handle, None, 2, 1, 0, None, ctypes.c_void_p(None)) == \
            autoencoder.Status.INVALID_ARGUMENT
