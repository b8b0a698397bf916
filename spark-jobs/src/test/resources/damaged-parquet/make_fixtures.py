"""Writes duckdb-dict.parquet, the DuckDB base of DamagedParquetTest (run from this folder).

DuckDB 1.5.6 from the local wheels; 240 rows x 8 float32 in quarter steps (numpy default_rng(22),
as damaged_parquet.py's pyarrow bases), so DuckDB keeps dictionary pages; ids "r<i>".
spark-list.parquet, the Spark base, is written by DamagedParquetTest.writeSparkBase
(-Drealign.test.excludedGroups=none -Dgroups=golden-generator).
"""
import duckdb
import numpy as np
import pyarrow as pa

rows, d = 240, 8
x = (np.random.default_rng(22).integers(-8, 8, size=(rows, d)) / 4).astype(np.float32)
offsets = pa.array(np.arange(0, rows * d + 1, d, dtype=np.int32))
t = pa.table({"id": pa.array([f"r{i}" for i in range(rows)]),
              "embedding": pa.ListArray.from_arrays(offsets, pa.array(x.ravel()))})
con = duckdb.connect()
con.register("t", t)
con.execute("COPY (SELECT id, CAST(embedding AS FLOAT[]) AS embedding FROM t)"
            " TO 'duckdb-dict.parquet' (FORMAT parquet)")
