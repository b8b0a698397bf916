"""Writes the third-party Parquet fixtures of spark-jobs' tests (run from this folder).

pyarrow 25.0.1 and DuckDB 1.5.6 as installed from the local wheels; deterministic vectors
(numpy default_rng(2026)), 300 rows x 64 float32, ids "r<i>", texts "t<i>".
"""
import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

rows, d = 300, 64
x = np.random.default_rng(2026).standard_normal((rows, d)).astype(np.float32)
ids = pa.array([f"r{i}" for i in range(rows)])
texts = pa.array([f"t{i}" for i in range(rows)])
offsets = pa.array(np.arange(0, rows * d + 1, d, dtype=np.int32))
lists = pa.ListArray.from_arrays(offsets, pa.array(x.ravel()))
fixed = pa.FixedSizeListArray.from_arrays(pa.array(x.ravel()), d)
# pyarrow's defaults: snappy, dictionary encoding (floats too), V1 data pages.
pq.write_table(pa.table({"id": ids, "text": texts, "embedding": lists}),
               "pyarrow-list-snappy.parquet")
# PLAIN floats in V1 pages, no codec: fixed_size_list<float>[64] survives in ARROW:schema only.
pq.write_table(pa.table({"id": ids, "embedding": fixed}), "pyarrow-fixed-size-list-none.parquet",
               compression="none", use_dictionary=False, data_page_version="1.0")
con = duckdb.connect()
con.execute("CREATE TABLE v AS SELECT id, CAST(embedding AS FLOAT[]) AS embedding"
            " FROM read_parquet('pyarrow-list-snappy.parquet')")
con.execute("COPY (SELECT * FROM v) TO 'duckdb-list.parquet' (FORMAT parquet)")

# Splits inside one row group (ParquetRowRangeSplitsTest): pages of about 2 KB in one row group;
# V1 without an offset index (a reader walks the page headers and repetition levels), V2 with
# write_page_index's offset index.
small = pa.table({"id": ids, "text": texts, "embedding": lists})
pq.write_table(small, "pyarrow-small-pages-none.parquet", compression="none",
               use_dictionary=["id"], data_page_size=2048, write_batch_size=100,
               data_page_version="1.0")
pq.write_table(small, "pyarrow-small-pages-v2-zstd-index.parquet", compression="zstd",
               use_dictionary=["id"], use_byte_stream_split=["embedding.list.element"],
               data_page_size=2048, write_batch_size=100, data_page_version="2.0",
               write_page_index=True)
