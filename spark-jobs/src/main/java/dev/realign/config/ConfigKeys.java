package dev.realign.config;

import dev.realign.align.Variant;
import dev.realign.encode.EncoderConfig;
import dev.realign.encode.Pooling;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every configuration key, declared once as a {@link ConfigKey}: type, default, what is allowed and
 * doc. The constants are the key names (as Iceberg's {@code TableProperties}); {@link
 * PipelineConfig}'s typed getters look the declaration up, so a range or a list of choices is
 * written only here. Values resolve in this order, the later winning: these defaults, the config
 * file ({@code --config FILE}), Spark conf entries {@code spark.realign.<key>}, then the command
 * line ({@code --set key=value} and the direct flags such as {@code --output}).
 *
 * <p>To declare a key: {@code public static final String X = declare(ConfigKey.integer("a.b", 1, 0,
 * 16, "doc"));}. The older {@code key(name, default, doc)} still declares an untyped (string) key;
 * port such keys to a typed declaration, a one-line change.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  private static final Map<String, ConfigKey<?>> DECLARED = new LinkedHashMap<>();

  /** Registers a declaration; returns its name, the constant call sites use. */
  private static String declare(ConfigKey<?> key) {
    if (DECLARED.putIfAbsent(key.name(), key) != null) {
      throw new IllegalStateException("Config key declared twice: " + key.name());
    }
    return key.name();
  }

  /** An untyped (free text) key: the pre-typed style, kept so that such keys still compile. */
  private static String key(String name, String defaultValue, String doc) {
    return declare(ConfigKey.string(name, defaultValue, doc));
  }

  private static final List<String> EMBEDDING_FORMATS = List.of("auto", "npy", "parquet");

  public static final String SPARK_MASTER =
      key(
          "spark.master",
          "local[*]",
          "Spark master when realign starts Spark itself; ignored under spark-submit");
  public static final String SPARK_APP_NAME = key("spark.app_name", "realign", "Spark app name");

  public static final String TEXT_EMBEDDINGS =
      key(
          "input.text.path",
          "",
          "text embeddings: a .npy file, a directory of .npy files, or Parquet file(s)/directory");
  public static final String TEXT_FORMAT =
      declare(
          ConfigKey.choice(
              "input.text.format", "auto", EMBEDDING_FORMATS, "auto: by file extension"));
  public static final String TEXT_METADATA =
      key(
          "input.text.metadata",
          "",
          "for .npy input: Parquet metadata file/directory holding ids (and texts), paired by sorted"
              + " order and row count with the .npy files; empty: ids are <file stem>-<row index>");
  public static final String IMAGE_EMBEDDINGS =
      key("input.image.path", "", "image embeddings, same forms as input.text.path");
  public static final String IMAGE_FORMAT =
      declare(
          ConfigKey.choice(
              "input.image.format",
              "auto",
              EMBEDDING_FORMATS,
              "like input.text.format, for the image embeddings"));
  public static final String IMAGE_METADATA =
      key("input.image.metadata", "", "like input.text.metadata, for the image .npy files");
  public static final String ID_COLUMN =
      key("input.id_column", "id", "Parquet column holding row ids (string, int or long)");
  public static final String VECTOR_COLUMN =
      key(
          "input.vector_column",
          "embedding",
          "Parquet column holding vectors: list<float> or binary of d x 4 bytes little-endian");
  public static final String TEXT_COLUMN =
      key(
          "input.text_column",
          "text",
          "Parquet column holding the text, copied to the aligned shards when present");
  public static final String SPLIT_ROWS =
      declare(
          ConfigKey.integer(
              "input.split_rows",
              65_536,
              1,
              Integer.MAX_VALUE,
              "rows per input split (one split = one task = one output shard): a .npy file, or a bigger"
                  + " Parquet row group, is cut into the fewest equal splits of at most this many rows,"
                  + " smaller row groups are gathered whole to about this many; splits never span files"));
  public static final String PARTITIONS =
      declare(
          ConfigKey.integer(
              "input.partitions",
              0,
              0,
              1_000_000,
              "if > 0: cut the input into about this many splits instead of using input.split_rows"));
  public static final String CHECK_DUPLICATE_IDS =
      declare(
          ConfigKey.bool(
              "input.check_duplicate_ids",
              true,
              "reject every later occurrence of an id (the first valid occurrence in input order wins);"
                  + " needs one extra read of the ids and vectors"));

  public static final String OUTPUT_DIR = key("output.dir", "", "output directory (required)");
  public static final String OUTPUT_MODE =
      declare(
          ConfigKey.enumeration(
              "output.mode",
              OutputMode.ERROR,
              OutputMode::id,
              "what to do when output.dir already holds a run: refuse, replace what a run owns there, or"
                  + " continue it reusing verified shards"));

  // arrow, io
  public static final String OUTPUT_FORMAT =
      declare(
          ConfigKey.choice(
              "output.format",
              "parquet",
              List.of("parquet", "arrow"),
              "file format of the aligned shards (arrow: one Arrow IPC stream file per shard, embedding as"
                  + " fixed_size_list<float, d>, readable zero-copy by pyarrow and Hugging Face datasets)"));
  public static final String OUTPUT_ARROW_BATCH_ROWS =
      declare(
          ConfigKey.integer(
              "output.arrow_batch_rows",
              8192,
              1,
              1 << 24,
              "output.format = arrow: rows per Arrow record batch (a batch must stay under 256 MiB of"
                  + " embeddings)"));
  public static final String OUTPUT_DTYPE =
      declare(
          ConfigKey.choice(
              "output.dtype",
              "float32",
              List.of("float32", "float16"),
              "stored element type of the aligned embeddings (float16: Parquet FLOAT16 or Arrow halffloat,"
                  + " rounded to nearest, ties to even; statistics and the transform stay float64); the"
                  + " manifest's dtype says which"));
  public static final String OUTPUT_PARQUET_CODEC =
      declare(
          ConfigKey.choice(
              "output.parquet.codec",
              "uncompressed",
              List.of("uncompressed", "snappy", "zstd"),
              "page codec of the Parquet shards (unit float vectors barely compress; see docs/output.md,"
                  + " Shards)"));

  public static final String VARIANT =
      declare(
          ConfigKey.enumeration(
              "fit.variant",
              Variant.DEFAULT,
              Variant::id,
              "which steps of ReAlign the transform applies (docs/design.md section 1)"));
  public static final String REFINEMENT_ITERATIONS =
      declare(
          ConfigKey.integer(
              "fit.refinement_iterations",
              0,
              0,
              16,
              "extra centroid steps after the first (0 = the paper's method)"));

  public static final String MAX_REJECTED_FRACTION =
      declare(
          ConfigKey.number(
              "quality.max_rejected_fraction",
              0.001,
              0.0,
              1.0,
              "the job fails when a modality's rejected rows exceed this fraction of its input rows"));

  public static final String OUTPUT_COMMIT =
      declare(
          ConfigKey.choice(
              "output.commit",
              "auto",
              List.of("auto", "rename", "direct"),
              "how aligned shards reach their final names: rename (staged, then renamed: local"
                  + " disks, HDFS), direct (written once under the final name, the manifest last:"
                  + " object stores, where a rename is a copy), or auto (direct where the file"
                  + " system declares fs.capability.outputstream.abortable, as S3A does)"));

  public static final String OUTPUT_LEASE_TIMEOUT =
      declare(
          ConfigKey.integer(
              "output.lease_timeout_seconds",
              120,
              5,
              86_400,
              "one writer per output: a run holds OUTPUT/_realign.lease and renews its heartbeat;"
                  + " a lease whose heartbeat stopped longer ago than this may be taken over by"
                  + " --mode resume (docs/cluster.md; below the Airflow DAG's retry_delay of 5 min)"));

  public static final String PROGRESS_INTERVAL =
      declare(
          ConfigKey.integer(
              "progress.interval_seconds",
              10,
              0,
              86_400,
              "seconds between progress lines of long stages (0: off)"));

  public static final String TEXTS =
      key(
          "encode.input",
          "",
          "text corpus to encode (JSONL, plain text or Parquet, each optionally .gz; a file, a"
              + " directory or a glob); for run: encode first, then align the encoded texts");
  public static final String ENCODE_FORMAT =
      declare(
          ConfigKey.choice(
              "encode.format",
              "auto",
              List.of("auto", "jsonl", "text", "parquet"),
              "auto: by file extension"));
  public static final String ENCODE_ID_FIELD =
      key(
          "encode.id_field",
          "id",
          "JSONL field / Parquet column of the text id (plain text: sha256(relative path)[0:16]-line)");
  public static final String ENCODE_TEXT_FIELD =
      key("encode.text_field", "text", "JSONL field / Parquet column of the text");
  public static final String ENCODE_MODEL =
      key(
          "encode.model_path",
          "",
          "ONNX model file (local, or shipped with --files); empty: the bundled all-MiniLM-L6-v2");
  public static final String ENCODE_TOKENIZER =
      key(
          "encode.tokenizer_path",
          "",
          "Hugging Face tokenizer.json of the model (required with encode.model_path)");
  public static final String ENCODE_MODEL_NAME =
      key(
          "encode.model_name",
          "",
          "name recorded as the encoder's identity (default: the model file's name)");
  public static final String ENCODE_MAX_LENGTH =
      declare(
          ConfigKey.integer(
              "encode.max_length",
              0,
              0,
              1_000_000,
              "tokens per text, [CLS] and [SEP] included; longer texts are truncated and counted. 0"
                  + " (default): the model's own context length (ONNX metadata, tokenizer files or"
                  + " position table; 256 for the bundled model and where nothing states one); a"
                  + " value above the model's limit fails before any task"));
  public static final String ENCODE_POOLING =
      declare(
          ConfigKey.parsed(
              "encode.pooling",
              Pooling.class,
              EncoderConfig.POOLING_DEFAULT.toString(),
              "auto, mean, cls, output:<name>, mean:<output> or cls:<output>",
              Pooling::parse,
              "auto (the model's pooled 2-D output, else masked mean over its token output) | mean"
                  + " (attention-masked) | cls | output:<name> (a pooled output of the model)"));
  public static final String ENCODE_NORMALIZE =
      declare(
          ConfigKey.bool(
              "encode.normalize", EncoderConfig.NORMALIZE_DEFAULT, "L2-normalise the embeddings"));
  public static final String ENCODE_BATCH_SIZE =
      declare(
          ConfigKey.integer(
              "encode.batch_size",
              EncoderConfig.BATCH_SIZE_DEFAULT,
              1,
              65_536,
              "texts per ONNX Runtime call (texts are sorted by token length within a chunk first)"));
  public static final String ENCODE_THREADS =
      declare(
          ConfigKey.integer(
              "encode.intra_op_threads",
              0,
              0,
              1024,
              "ONNX Runtime intra-op threads per task; 0 (default): spark.task.cpus, which is 1"
                  + " unless set, as EncoderConfig's own default of 1 outside a job"));
  public static final String ENCODE_PROVIDER =
      declare(
          ConfigKey.enumeration(
              "encode.execution_provider",
              EncoderConfig.EXECUTION_PROVIDER_DEFAULT,
              p -> p.name().toLowerCase(Locale.ROOT),
              "where ONNX Runtime runs (cuda takes the task's GPU from TaskContext.resources())"));

  // encode (branch encode): cutting big corpus files into splits
  public static final String ENCODE_SPLIT_BYTES =
      declare(
          ConfigKey.longInteger(
              "encode.split_bytes",
              1_048_576,
              1,
              Long.MAX_VALUE,
              "bytes of corpus per encode split: line files (JSONL, text) larger than this are cut into"
                  + " equal byte ranges at line starts, Parquet files between row groups; .gz files stay"
                  + " whole. 1 MiB of short captions is ~10,000 texts, about a minute of one core and a"
                  + " ~15 MB shard at d = 384. Part of the plan: changing it changes the shards"));
  public static final String REPORT_IN_RUN =
      declare(ConfigKey.bool("report.in_run", true, "run the gap report as the last step of run"));
  public static final String REPORT_SAMPLE_ROWS =
      declare(
          ConfigKey.integer(
              "report.sample_rows",
              10_000,
              2,
              1_000_000,
              "rows a modality in the report's deterministic sample (rows whose id hash is smallest)"));
  public static final String REPORT_VARIANTS =
      declare(
          ConfigKey.enumList(
              "report.variants",
              List.of(Variant.values()),
              Variant.class,
              Variant::id,
              "variants compared side by side in the report"));
  public static final String REPORT_SPECTRA =
      declare(
          ConfigKey.bool(
              "report.spectra",
              false,
              "second-order diagnostics (covariance spectra with ND4J) in the report: ~2.5 s of CPU a"
                  + " d = 1280 eigendecomposition, six of them, plus ND4J's start-up; on request"));
  public static final String VALIDATION_TEXT =
      key(
          "report.validation.text",
          "",
          "paired validation texts (embedding set): pairs by id, or by position for two .npy");
  public static final String VALIDATION_IMAGE =
      key("report.validation.image", "", "paired validation images (embedding set)");

  // report
  public static final String REPORT_KNN_QUERIES =
      declare(
          ConfigKey.integer(
              "report.knn_queries",
              200,
              1,
              1_000_000,
              "k-NN queries a modality (the first rows of the id-hash sample), each against the whole"
                  + " sample; a sample this small or smaller gives exact k-NN figures"));
  public static final String REPORT_PAIR_BUDGET =
      declare(
          ConfigKey.longInteger(
              "report.pair_budget",
              262_144,
              1,
              Long.MAX_VALUE,
              "pairs a pairwise-cosine histogram (JS divergence); all pairs when they fit (exact)"));
  public static final String REPORT_SPECTRUM_ROWS =
      declare(
          ConfigKey.integer(
              "report.spectrum_rows",
              2000,
              2,
              1_000_000,
              "rows a modality (the first of the id-hash sample) behind the spectra and the gap split"));
  public static final String REPORT_GEMM =
      declare(
          ConfigKey.bool(
              "report.gemm",
              false,
              "float32 candidate search with ND4J's GEMM (false: the JDK Vector API, or plain Java without"
                  + " it; faster here, and ND4J's start-up is ~2.5 s); figures do not depend on it"));
  public static final String VALIDATION_MAX_PAIRS =
      declare(
          ConfigKey.integer(
              "report.validation.max_pairs",
              10_000,
              1,
              1_000_000,
              "validation pairs used for recall (O(n^2)): those with the smallest id hash"));

  public static final String DEMO_GENERATE =
      declare(
          ConfigKey.bool(
              "demo.generate",
              false,
              "generate the synthetic demo embedding set under <output.dir>/demo-input and use it"));
  public static final String DEMO_TEXT_ROWS =
      declare(
          ConfigKey.longInteger(
              "demo.text_rows", 100_000, 1, 100_000_000, "demo: text rows to generate"));
  public static final String DEMO_IMAGE_ROWS =
      declare(
          ConfigKey.longInteger(
              "demo.image_rows", 100_000, 1, 100_000_000, "demo: image rows to generate"));
  public static final String DEMO_DIM =
      declare(ConfigKey.integer("demo.dim", 512, 1, 65_536, "demo: embedding dimension"));
  public static final String DEMO_SEED =
      declare(
          ConfigKey.longInteger(
              "demo.seed", 20_260_207, Long.MIN_VALUE, Long.MAX_VALUE, "demo: random seed"));
  public static final String DEMO_FILES =
      declare(ConfigKey.integer("demo.files", 4, 1, 1024, "demo: .npy files per modality"));
  public static final String DEMO_CAPTIONS =
      declare(
          ConfigKey.integer(
              "demo.captions",
              0,
              0,
              10_000_000,
              "demo: if > 0, generate this many templated captions (JSONL) and encode them with the"
                  + " bundled model instead of generating text embeddings; the image side stays synthetic"
                  + " in the encoder's dimension"));

  // guards
  public static final String FIT_MIN_ROWS =
      declare(
          ConfigKey.longInteger(
              "fit.min_rows",
              dev.realign.align.FitOptions.MIN_ROWS_DEFAULT,
              1,
              Long.MAX_VALUE,
              "the fit refuses a modality with fewer valid rows (a degenerate transform); lower it only"
                  + " for tests or toy data"));
  public static final String FIT_MIN_TRACE =
      declare(
          ConfigKey.number(
              "fit.min_trace",
              dev.realign.align.FitOptions.MIN_TRACE_DEFAULT,
              0.0,
              1.0,
              "anchor-trace and realign refuse a modality whose covariance trace is below this (no spread:"
                  + " the scale collapses the texts or amplifies noise); 0 turns the check off"));

  /** Every declaration, in declaration order. */
  public static List<ConfigKey<?>> all() {
    return List.copyOf(DECLARED.values());
  }

  /** The declaration of {@code name}, or "Invalid config key: NAME (must be one of [...])". */
  public static ConfigKey<?> declaration(String name) {
    ConfigKey<?> k = DECLARED.get(name);
    if (k == null) {
      throw new IllegalArgumentException(
          "Invalid config key: "
              + name
              + " (must be one of "
              + new java.util.TreeSet<>(DECLARED.keySet())
              + ")");
    }
    return k;
  }

  // ml
  public static final String IMAGE_STATS =
      key(
          "fit.image_stats",
          "",
          "a stored image sketch (image.sketch file, stats directory or output directory): fit and run"
              + " use it instead of reading image embeddings");
  public static final String UDF_TRANSFORM =
      key(
          "transform",
          "",
          "Spark conf spark.realign.transform: the transform of the SQL UDF"
              + " dev.realign.udf.RealignAlignUdf (not used by the CLI)");
  public static final String UDF_ON_INVALID =
      declare(
          ConfigKey.choice(
              "udf.on_invalid",
              "error",
              List.of("error", "null"),
              "Spark conf spark.realign.udf.on_invalid: what realign_align does with a bad"
                  + " row (not used by the CLI)"));

  /** Keys and their defaults, in declaration order. */
  public static Map<String, String> defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    DECLARED.forEach((k, v) -> m.put(k, v.defaultValue()));
    return Collections.unmodifiableMap(m);
  }

  public static Map<String, String> docs() {
    Map<String, String> m = new LinkedHashMap<>();
    DECLARED.forEach((k, v) -> m.put(k, v.doc()));
    return Collections.unmodifiableMap(m);
  }

  public static boolean isKnown(String key) {
    return DECLARED.containsKey(key);
  }
}
