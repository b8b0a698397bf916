package dev.realign.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every configuration key, each with its one documented default. Values resolve in this order, the
 * later winning: these defaults, the config file ({@code --config FILE}), Spark conf entries
 * {@code spark.realign.<key>}, then the command line ({@code --set key=value} and the direct flags
 * such as {@code --output}).
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();
  private static final Map<String, String> DOCS = new LinkedHashMap<>();

  private static String key(String name, String defaultValue, String doc) {
    DEFAULTS.put(name, defaultValue);
    DOCS.put(name, doc);
    return name;
  }

  public static final String SPARK_MASTER = key("spark.master", "local[*]",
      "Spark master when realign starts Spark itself; ignored under spark-submit");
  public static final String SPARK_APP_NAME = key("spark.app_name", "realign", "Spark app name");

  public static final String TEXT_EMBEDDINGS = key("input.text.path", "",
      "text embeddings: a .npy file, a directory of .npy files, or Parquet file(s)/directory");
  public static final String TEXT_FORMAT = key("input.text.format", "auto",
      "auto | npy | parquet (auto: by file extension)");
  public static final String TEXT_METADATA = key("input.text.metadata", "",
      "for .npy input: Parquet metadata file/directory holding ids (and texts), paired by sorted"
          + " order and row count with the .npy files; empty: ids are <file stem>-<row index>");
  public static final String IMAGE_EMBEDDINGS = key("input.image.path", "",
      "image embeddings, same forms as input.text.path");
  public static final String IMAGE_FORMAT = key("input.image.format", "auto",
      "auto | npy | parquet");
  public static final String IMAGE_METADATA = key("input.image.metadata", "",
      "like input.text.metadata, for the image .npy files");
  public static final String ID_COLUMN = key("input.id_column", "id",
      "Parquet column holding row ids (string, int or long)");
  public static final String VECTOR_COLUMN = key("input.vector_column", "embedding",
      "Parquet column holding vectors: list<float> or binary of d x 4 bytes little-endian");
  public static final String TEXT_COLUMN = key("input.text_column", "text",
      "Parquet column holding the text, copied to the aligned shards when present");
  public static final String SPLIT_ROWS = key("input.split_rows", "65536",
      "rows per input split (one split = one task = one output shard); splits never span files");
  public static final String PARTITIONS = key("input.partitions", "0",
      "if > 0: cut the input into about this many splits instead of using input.split_rows");
  public static final String CHECK_DUPLICATE_IDS = key("input.check_duplicate_ids", "true",
      "reject every later occurrence of an id (first in input order wins); needs one extra read of"
          + " the id column");

  public static final String OUTPUT_DIR = key("output.dir", "", "output directory (required)");
  public static final String OUTPUT_MODE = key("output.mode", "error",
      "error | overwrite | resume: what to do when output.dir already holds a run");

  // io
  public static final String OUTPUT_DTYPE = key("output.dtype", "float32",
      "float32 | float16: element type of the aligned shards' embedding (float16: Parquet FLOAT16,"
          + " rounded to nearest, ties to even; statistics and the transform stay float64); the"
          + " manifest's dtype says which");
  public static final String OUTPUT_PARQUET_CODEC = key("output.parquet.codec", "uncompressed",
      "uncompressed | snappy | zstd: page codec of the aligned shards (unit float vectors barely"
          + " compress; see the README's shard section)");

  public static final String VARIANT = key("fit.variant", "realign",
      "anchor | anchor-trace | realign");
  public static final String REFINEMENT_ITERATIONS = key("fit.refinement_iterations", "0",
      "extra centroid steps after the first (0 = the paper's method)");

  public static final String MAX_REJECTED_FRACTION = key("quality.max_rejected_fraction", "0.001",
      "the job fails when a modality's rejected rows exceed this fraction of its input rows");

  public static final String PROGRESS_INTERVAL = key("progress.interval_seconds", "10",
      "seconds between progress lines of long stages (0: off)");

  public static final String TEXTS = key("encode.input", "",
      "text corpus to encode (JSONL, plain text or Parquet, each optionally .gz; a file, a"
          + " directory or a glob); for run: encode first, then align the encoded texts");
  public static final String ENCODE_FORMAT = key("encode.format", "auto",
      "auto | jsonl | text | parquet (auto: by file extension)");
  public static final String ENCODE_ID_FIELD = key("encode.id_field", "id",
      "JSONL field / Parquet column of the text id (plain text: sha256(relative path)[0:16]-line)");
  public static final String ENCODE_TEXT_FIELD = key("encode.text_field", "text",
      "JSONL field / Parquet column of the text");
  public static final String ENCODE_MODEL = key("encode.model_path", "",
      "ONNX model file (local, or shipped with --files); empty: the bundled all-MiniLM-L6-v2");
  public static final String ENCODE_TOKENIZER = key("encode.tokenizer_path", "",
      "Hugging Face tokenizer.json of the model (required with encode.model_path)");
  public static final String ENCODE_MODEL_NAME = key("encode.model_name", "",
      "name recorded as the encoder's identity (default: the model file's name)");
  public static final String ENCODE_MAX_LENGTH = key("encode.max_length",
      Integer.toString(dev.realign.encode.EncoderConfig.MAX_LENGTH_DEFAULT),
      "tokens per text; longer texts are truncated and counted");
  public static final String ENCODE_POOLING = key("encode.pooling",
      dev.realign.encode.EncoderConfig.POOLING_DEFAULT.toString(),
      "mean (attention-masked) | cls | output:<name> (a pooled output of the model)");
  public static final String ENCODE_NORMALIZE = key("encode.normalize",
      Boolean.toString(dev.realign.encode.EncoderConfig.NORMALIZE_DEFAULT),
      "L2-normalise the embeddings");
  public static final String ENCODE_BATCH_SIZE = key("encode.batch_size",
      Integer.toString(dev.realign.encode.EncoderConfig.BATCH_SIZE_DEFAULT),
      "texts per ONNX Runtime call (texts are sorted by token length within a chunk first)");
  public static final String ENCODE_THREADS = key("encode.intra_op_threads", "0",
      "ONNX Runtime intra-op threads per task; 0: spark.task.cpus");
  public static final String ENCODE_PROVIDER = key("encode.execution_provider", "cpu",
      "cpu | cuda (cuda takes the task's GPU from TaskContext.resources())");
  public static final String FAIL_ENCODE_SPLIT = key("testing.fail_encode_split", "-1",
      "fault injection for tests: the encode task of this split fails after writing its shard");

  public static final String REPORT_IN_RUN = key("report.in_run", "true",
      "run the gap report as the last step of run");
  public static final String REPORT_SAMPLE_ROWS = key("report.sample_rows", "10000",
      "rows a modality in the report's deterministic sample (rows whose id hash is smallest)");
  public static final String REPORT_VARIANTS = key("report.variants",
      "anchor,anchor-trace,realign", "variants compared side by side in the report");
  public static final String REPORT_SPECTRA = key("report.spectra", "true",
      "second-order diagnostics (covariance spectra with ND4J) in the report");
  public static final String VALIDATION_TEXT = key("report.validation.text", "",
      "paired validation texts (embedding set): pairs by id, or by position for two .npy");
  public static final String VALIDATION_IMAGE = key("report.validation.image", "",
      "paired validation images (embedding set)");

  public static final String DEMO_GENERATE = key("demo.generate", "false",
      "generate the synthetic demo embedding set under <output.dir>/demo-input and use it");
  public static final String DEMO_TEXT_ROWS = key("demo.text_rows", "100000",
      "demo: text rows to generate");
  public static final String DEMO_IMAGE_ROWS = key("demo.image_rows", "100000",
      "demo: image rows to generate");
  public static final String DEMO_DIM = key("demo.dim", "512", "demo: embedding dimension");
  public static final String DEMO_SEED = key("demo.seed", "20260207", "demo: random seed");
  public static final String DEMO_FILES = key("demo.files", "4", "demo: .npy files per modality");
  public static final String DEMO_CAPTIONS = key("demo.captions", "0",
      "demo: if > 0, generate this many templated captions (JSONL) and encode them with the"
          + " bundled model instead of generating text embeddings; the image side stays synthetic"
          + " in the encoder's dimension");

  public static final String FAIL_APPLY_SPLIT = key("testing.fail_apply_split", "-1",
      "fault injection for tests: the apply task of this split fails after writing its shard");

  /** Keys and their defaults, in declaration order. */
  public static Map<String, String> defaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }

  public static Map<String, String> docs() {
    return Collections.unmodifiableMap(DOCS);
  }

  public static boolean isKnown(String key) {
    return DEFAULTS.containsKey(key);
  }
}
