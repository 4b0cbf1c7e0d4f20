package dev.sparseinfer.spark;

import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import java.util.Arrays;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Embeds a string column with a SparseInfer model, as a Spark ML {@link Transformer}: each row gets its text's
 * embedding in {@link #outputCol()} ({@code array<float>}, or an ML {@code Vector}), a null text a null embedding.
 *
 * <pre>{@code
 * Dataset<Row> embedded = new SparseInferEmbedder()
 *         .setInputCol("text")
 *         .setOutputCol("embedding")
 *         .setModel("minilm")
 *         .transform(texts);
 * }</pre>
 *
 * Each executor JVM opens the model once, on its first task that has a text to embed, and shares it between its
 * tasks; each task embeds its partition {@link #batchSize()} rows per forward pass. Before the job starts, the
 * driver opens the model where it can reach its files, so a bad spec or file fails fast with one line. Saved and
 * loaded with Spark ML's {@code save}/{@code load}, in a {@code Pipeline} or alone.
 */
public final class SparseInferEmbedder extends Transformer implements DefaultParamsWritable {

    private static final DefaultParamsReadable<SparseInferEmbedder> READABLE = new DefaultParamsReadable<>() {};

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> model;
    private final Param<String> backend;
    private final IntParam threads;
    private final IntParam batchSize;
    private final Param<String> pooling;
    private final Param<String> promptName;
    private final Param<String> outputType;

    public SparseInferEmbedder() {
        this(Identifiable$.MODULE$.randomUID("sparseInferEmbedder"));
    }

    /** The constructor {@link #load} calls: Spark ML's persistence needs one that takes the uid. */
    public SparseInferEmbedder(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "the string column to embed; null texts get null embeddings");
        outputCol = new Param<>(this, "outputCol", "the column the embeddings are written to");
        model = new Param<>(
                this,
                "model",
                "a built-in model name (e.g. minilm), or a packed .safetensors, ONNX export or Hugging Face directory:"
                        + " a path every executor can read, or the name of a file shipped with --files");
        backend = new Param<>(
                this, "backend", "auto, cpu or cuda", ParamValidators.inArray(new String[] {"auto", "cpu", "cuda"}));
        threads = new IntParam(
                this,
                "threads",
                "CPU threads of each executor's model (default: spark.task.cpus)",
                ParamValidators.gtEq(1));
        batchSize = new IntParam(this, "batchSize", "texts per forward pass", ParamValidators.gtEq(1));
        pooling = new Param<>(
                this,
                "pooling",
                "cls, mean, max or last, in place of the model's own pooling",
                ParamValidators.inArray(
                        Arrays.stream(Pooling.values()).map(Pooling::label).toArray(String[]::new)));
        promptName = new Param<>(this, "promptName", "one of the model's named prompts, e.g. query");
        outputType = new Param<>(
                this,
                "outputType",
                "array (array<float>) or vector (an ML Vector)",
                ParamValidators.inArray(new String[] {"array", "vector"}));
        setDefault(inputCol, "text");
        setDefault(outputCol, "embedding");
        setDefault(backend, "auto");
        setDefault(batchSize, 32);
        setDefault(outputType, "array");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> model() {
        return model;
    }

    public Param<String> backend() {
        return backend;
    }

    public IntParam threads() {
        return threads;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public Param<String> pooling() {
        return pooling;
    }

    public Param<String> promptName() {
        return promptName;
    }

    public Param<String> outputType() {
        return outputType;
    }

    public SparseInferEmbedder setInputCol(String column) {
        set(inputCol, column);
        return this;
    }

    public SparseInferEmbedder setOutputCol(String column) {
        set(outputCol, column);
        return this;
    }

    /** A built-in name, or a model file or directory; see {@link #model()}. */
    public SparseInferEmbedder setModel(String spec) {
        set(model, spec);
        return this;
    }

    public SparseInferEmbedder setBackend(String kind) {
        set(backend, kind);
        return this;
    }

    public SparseInferEmbedder setThreads(int n) {
        set(threads, n);
        return this;
    }

    public SparseInferEmbedder setBatchSize(int n) {
        set(batchSize, n);
        return this;
    }

    public SparseInferEmbedder setPooling(String label) {
        set(pooling, label);
        return this;
    }

    public SparseInferEmbedder setPromptName(String name) {
        set(promptName, name);
        return this;
    }

    /** {@code array} for {@code array<float>} (the default), {@code vector} for an ML {@code Vector}. */
    public SparseInferEmbedder setOutputType(String type) {
        set(outputType, type);
        return this;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public String getModel() {
        return getOrDefault(model);
    }

    /**
     * Plans the embedding of every row, after opening the model on the driver where it can reach it; the rows are
     * embedded when the result is computed.
     *
     * @throws SparseInferException if the model is not set or the driver finds it missing or malformed
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema(), true);
        ModelSettings settings = settings(TaskThreads.defaultThreads(dataset.sparkSession()));
        DriverCheck.check(dataset.sparkSession(), settings);
        int textColumn = dataset.schema().fieldIndex(getInputCol());
        return dataset.toDF()
                .mapPartitions(
                        new PartitionEmbedder(settings, textColumn, OutputType.parse(getOrDefault(outputType))),
                        Encoders.row(schema));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(model)) {
            throw SparseInferException.invalidArgument(
                    "no model set: setModel takes a built-in name such as minilm, or a model file");
        }
        String input = getInputCol();
        if (!Arrays.asList(schema.fieldNames()).contains(input)) {
            throw new IllegalArgumentException(
                    "input column '" + input + "' is not in the schema " + schema.simpleString());
        }
        if (!schema.apply(input).dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("input column '" + input + "' must be a string, not "
                    + schema.apply(input).dataType().simpleString());
        }
        String output = getOutputCol();
        if (Arrays.asList(schema.fieldNames()).contains(output)) {
            throw new IllegalArgumentException("output column '" + output + "' already exists");
        }
        OutputType type = OutputType.parse(getOrDefault(outputType));
        return schema.add(new StructField(output, type.dataType(), true, Metadata.empty()));
    }

    @Override
    public SparseInferEmbedder copy(ParamMap extra) {
        return (SparseInferEmbedder) defaultCopy(extra);
    }

    public static MLReader<SparseInferEmbedder> read() {
        return READABLE.read();
    }

    public static SparseInferEmbedder load(String path) {
        return READABLE.load(path);
    }

    private ModelSettings settings(int defaultThreads) {
        ModelOptions options = ModelOptions.defaults()
                .withBackend(BackendKind.parse(getOrDefault(backend)))
                .withThreads(isDefined(threads) ? (Integer) getOrDefault(threads) : defaultThreads)
                .withBatchSize((Integer) getOrDefault(batchSize));
        if (isDefined(pooling)) {
            options = options.withPooling(Pooling.parse(getOrDefault(pooling)));
        }
        if (isDefined(promptName)) {
            options = options.withPromptName(getOrDefault(promptName));
        }
        return ModelSettings.of(getModel(), options);
    }
}
