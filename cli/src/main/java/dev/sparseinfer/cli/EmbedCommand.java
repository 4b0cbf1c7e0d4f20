package dev.sparseinfer.cli;

import dev.sparseinfer.cli.report.AtomicOutput;
import dev.sparseinfer.engine.api.BackendKind;
import dev.sparseinfer.engine.api.Embedding;
import dev.sparseinfer.engine.api.EmbeddingModel;
import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.engine.api.SparseInferException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        header = "Embeds one UTF-8 text per input line and writes one JSON line per text.",
        description = {
            "One output line per input line, in order:",
            "  {\"index\":0,\"tokens\":7,\"embedding\":[...]}",
            "Pooling, normalisation and the default prompt are the model's own (see 'sparseinfer inspect');",
            "the options below override them. \"tokens\" counts the prompt's tokens too."
        })
final class EmbedCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--backend",
            paramLabel = "auto|cpu|cuda",
            defaultValue = "auto",
            description = "Backend to run on (default: ${DEFAULT-VALUE}).")
    String backend;

    @Mixin
    ThreadsOption threads;

    @Mixin
    PrecisionOption precision;

    @Mixin
    FormatsOption formats;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "32",
            description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--input", paramLabel = "FILE", description = "Input texts (default: standard input).")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Output file (default: standard output).")
    Path output;

    @Override
    public Integer call() throws IOException {
        ModelOptions options = recipe.apply(ModelOptions.defaults()
                .withBackend(BackendKind.parse(backend))
                .withBatchSize(batch)
                .withThreads(threads.value())
                .withSparseDetection(formats.detect())
                .withPrecision(precision.value()));
        if (input != null && !Files.isReadable(input)) {
            throw SparseInferException.invalidArgument("cannot read --input " + input);
        }
        Path modelPath = model.resolve();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        try (ReplacingUtf8Reader decoded =
                        new ReplacingUtf8Reader(input == null ? System.in : Files.newInputStream(input));
                BufferedReader in = new BufferedReader(decoded, 1 << 16);
                EmbeddingModel embedder = EmbeddingModel.open(modelPath, options);
                AtomicOutput out = AtomicOutput.open(output, spec.commandLine().getOut())) {
            embedder.modelNotice().ifPresent(notice -> err.println("sparseinfer: " + notice));
            embedder.backendNotice().ifPresent(notice -> err.println("sparseinfer: " + notice));
            long count = embedAll(embedder, in, out.writer(), batch);
            out.commit();
            if (decoded.replaced() > 0) {
                err.printf(
                        Locale.ROOT,
                        "sparseinfer: warning: %d malformed UTF-8 sequences in the input were replaced by U+FFFD%n",
                        decoded.replaced());
            }
            if (output != null) {
                err.printf(
                        Locale.ROOT,
                        "sparseinfer: embedded %d texts (%d dimensions) on %s in %.1f s -> %s%n",
                        count,
                        embedder.dimension(),
                        embedder.backendDescription(),
                        (System.nanoTime() - started) / 1e9,
                        output);
            }
        }
        return 0;
    }

    /** Streams the input: reads a batch of lines, embeds it, writes it, so memory stays bounded by the batch. */
    static long embedAll(EmbeddingModel embedder, BufferedReader in, Writer out, int batch) throws IOException {
        List<String> texts = new ArrayList<>(batch);
        long index = 0;
        String line;
        StringBuilder json = new StringBuilder();
        while ((line = in.readLine()) != null) {
            texts.add(line);
            if (texts.size() == batch) {
                index = write(embedder.embed(texts), index, out, json);
                texts.clear();
            }
        }
        if (!texts.isEmpty()) {
            index = write(embedder.embed(texts), index, out, json);
        }
        out.flush();
        return index;
    }

    private static long write(List<Embedding> embeddings, long index, Writer out, StringBuilder json)
            throws IOException {
        for (Embedding e : embeddings) {
            json.setLength(0);
            json.append("{\"index\":")
                    .append(index++)
                    .append(",\"tokens\":")
                    .append(e.tokens())
                    .append(",\"embedding\":[");
            float[] v = e.vector();
            for (int i = 0; i < v.length; i++) {
                if (i > 0) {
                    json.append(',');
                }
                json.append(v[i]);
            }
            json.append("]}\n");
            out.append(json);
        }
        out.flush();
        return index;
    }
}
