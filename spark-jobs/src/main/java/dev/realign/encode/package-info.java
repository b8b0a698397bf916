/**
 * The encode stage's engine-free core: text to embeddings with ONNX Runtime and a Hugging Face
 * tokenizer, ready to be called from a Spark {@code mapPartitions}.
 *
 * <h2>How a Spark job uses it</h2>
 *
 * <pre>{@code
 * EncoderConfig config = EncoderConfig.fromOptions(options)       // driver; Serializable
 *     .toBuilder().intraOpThreads(taskCpus).build();             // spark.task.cpus
 * // executor, per partition:
 * OnnxTextEncoder encoder = OnnxTextEncoder.create(config);       // session shared per JVM
 * EncodeResult r = encoder.encode(texts);                         // chunks of ~16 x batch_size
 * for (int i = 0; i < r.rows(); i++) {
 *   if (r.embedded(i)) { ... r.embeddings(), offset i * r.dimension() ... }
 *   else { ... rejected: r.rejectReason(i) ... }
 * }
 * encoder.identity();                                            // for the transform
 * }</pre>
 *
 * <h2>Deployment notes</h2>
 *
 * <ul>
 *   <li>DJL's offline properties are set by {@link dev.realign.encode.OnnxTextEncoder}'s static
 *       initialiser; also pass {@code -Dai.djl.offline=true -DOPT_OUT_TRACKING=true} in {@code
 *       spark.executor.extraJavaOptions} and the launcher (docs/design.md section 6).
 *   <li>ONNX Runtime 1.29.0 crashes the JVM when the process command line is about 4 KB or longer;
 *       the encoder refuses to start there (see {@code LoadedModel.checkCommandLineLength}). Put
 *       long option lists into an argument file or {@code JDK_JAVA_OPTIONS} ({@code
 *       spark.executorEnv.JDK_JAVA_OPTIONS} for executors).
 *   <li>Models over 2 GB keep weights in external-data files beside the {@code .onnx}: ship both
 *       into one folder; the session is always created from the model's path.
 *   <li>CUDA: {@code execution_provider=cuda} needs {@code
 *       com.microsoft.onnxruntime:onnxruntime_gpu} instead of {@code onnxruntime} on the classpath;
 *       the job sets {@code device_id} from {@code TaskContext.get().resources().get("gpu")}.
 * </ul>
 */
package dev.realign.encode;
