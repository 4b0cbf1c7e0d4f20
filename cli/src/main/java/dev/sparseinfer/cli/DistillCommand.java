package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.Pooling;
import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.format.CsrWeights;
import dev.sparseinfer.engine.format.DenseWeights;
import dev.sparseinfer.engine.format.FloatMatrix;
import dev.sparseinfer.engine.format.Int8Scheme;
import dev.sparseinfer.engine.format.LinearWeights;
import dev.sparseinfer.engine.format.TwoFourWeights;
import dev.sparseinfer.engine.io.LoadedModel;
import dev.sparseinfer.engine.io.ModelLoader;
import dev.sparseinfer.engine.io.packed.TableFormat;
import dev.sparseinfer.engine.model.bert.BertConfig;
import dev.sparseinfer.engine.model.bert.BertWeights;
import dev.sparseinfer.engine.tokenizer.TextTokenizer;
import dev.sparseinfer.engine.tokenizer.TokenizedText;
import dev.sparseinfer.models.calibration.CalibrationSet;
import dev.sparseinfer.models.evaluate.TeacherAgreement;
import dev.sparseinfer.models.packed.Derivation;
import dev.sparseinfer.models.packed.Recipe;
import dev.sparseinfer.models.prune.PruneMethod;
import dev.sparseinfer.models.prune.PrunePattern;
import dev.sparseinfer.models.prune.PruneSpec;
import dev.sparseinfer.models.quantize.Int8Quantizer;
import dev.sparseinfer.models.train.DistillSettings;
import dev.sparseinfer.models.train.Distiller;
import dev.sparseinfer.models.variants.SourceIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "distill",
        mixinStandardHelpOptions = true,
        header = "Prunes a model and fine-tunes it to match the dense model, then writes a packed model.",
        description = "The dense model is the teacher: the student, starting from its weights (or a one-shot pruned "
                + "model), learns to reproduce the teacher's hidden states after every layer and its pooled "
                + "embedding on a corpus, while its pruned weights stay zero. 2:4 keeps one mask throughout; "
                + "unstructured sparsity rises on a cubic schedule. Checkpoints are written every few minutes; "
                + "--resume continues from the last one and ends with the same file as an uninterrupted run.")
final class DistillCommand implements Callable<Integer> {

    /**
     * Steps a run sized by {@code --minutes} times first: one to warm up, then enough that a short batch does not size
     * the run (a single first batch put a 90 % run at 0.49 s a step; it then averaged 0.54).
     */
    private static final int PROBE_STEPS = 6;

    @Mixin
    ModelOption model;

    @Mixin
    OutputFileOption output;

    @Mixin
    CalibrationOption calibration;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Spec
    CommandSpec spec;

    @Option(names = "--pattern", required = true, paramLabel = "unstructured|2:4", description = "What to prune.")
    String pattern;

    @Option(
            names = "--sparsity",
            paramLabel = "F",
            description = "Unstructured: the fraction of each layer's weights to prune, in (0, 1) (default 0.5).")
    Double sparsity;

    @Option(
            names = "--start",
            paramLabel = "magnitude|sparsegpt|FILE",
            description = "The student's starting point: the dense weights pruned by magnitude (2:4) or gradually "
                    + "(unstructured); a one-shot SparseGPT model made first (on --calibration texts); or a packed "
                    + "model pruned before, whose zeros are kept (default sparsegpt).")
    String start = "sparsegpt";

    @Option(names = "--int8", paramLabel = "w8a8|w8", description = "Quantise the result to int8 (default: fp32).")
    String int8;

    @Option(
            names = "--qat-fraction",
            paramLabel = "F",
            description = "With --int8: the fraction of the steps, at the end, trained quantisation-aware, the "
                    + "forward pass rounded as the int8 model computes (default 0.2; 0: quantise after training only).")
    Double qatFraction;

    @Option(
            names = "--corpus",
            paramLabel = "FILE",
            description = "Training texts, one per line (default: 60,000 shipped WordNet glosses and examples).")
    Path corpus;

    static final class Length {
        @Option(names = "--steps", paramLabel = "N", description = "Optimiser steps (default 1000).")
        Integer steps;

        @Option(
                names = "--minutes",
                paramLabel = "N",
                description = "Size the run to about N minutes, from the time of a few first steps.")
        Double minutes;
    }

    @ArgGroup(exclusive = true)
    Length length = new Length();

    @Option(names = "--batch", paramLabel = "N", description = "Sentences per step (default 64).")
    int batch = 64;

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            description = "Peak AdamW learning rate (default 2e-4 for 2:4, 1e-3 for unstructured).")
    Double learningRate;

    @Option(names = "--seed", paramLabel = "N", description = "Decides the order of the corpus (default 42).")
    long seed = 42;

    @Option(
            names = "--eval-every",
            paramLabel = "N",
            description = "Steps between held-out measurements (default 200; 0: at the start and end only).")
    int evalEvery = 200;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description = "Where the run's state is saved (default: the output file name + .ckpt).")
    Path checkpoint;

    @Option(names = "--checkpoint-minutes", paramLabel = "N", description = "Minutes between checkpoints (default 5).")
    double checkpointMinutes = 5;

    @Option(names = "--resume", description = "Continue from the checkpoint, if there is one.")
    boolean resume;

    @Option(
            names = "--until-step",
            paramLabel = "N",
            description = "Stop after step N with a checkpoint and no output, to continue later with --resume.")
    Integer untilStep;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        PrunePattern p = PrunePattern.parse(pattern);
        if (p != PrunePattern.TWO_FOUR && p != PrunePattern.UNSTRUCTURED) {
            throw SparseInferException.invalidArgument("--pattern must be unstructured or 2:4, got " + pattern);
        }
        if (p == PrunePattern.TWO_FOUR && sparsity != null) {
            throw SparseInferException.invalidArgument("--sparsity applies to unstructured only (2:4 is 0.5)");
        }
        if (length.minutes != null && !(length.minutes > 0)) {
            throw SparseInferException.invalidArgument("--minutes must be positive, got " + length.minutes);
        }
        Int8Scheme scheme = int8 == null ? null : Int8Scheme.parse(int8);
        if (qatFraction != null && scheme == null) {
            throw SparseInferException.invalidArgument("--qat-fraction applies to --int8 runs only");
        }
        Path out = output.checked();
        Path state = checkpoint != null ? checkpoint : out.resolveSibling(out.getFileName() + ".ckpt");
        List<String> texts = corpus == null ? CalibrationSet.distillationCorpus() : CalibrationSet.readTexts(corpus);
        Path teacherPath = model.resolve();
        LoadedModel teacher = ModelLoader.load(teacherPath);
        if (teacher.recipe().pooling() != Pooling.MEAN) {
            throw SparseInferException.invalidArgument("distill trains mean-pooled models only; " + teacher.source()
                    + " pools by " + teacher.recipe().pooling());
        }
        int n = threads.value();
        double target = p == PrunePattern.TWO_FOUR ? 0.5 : sparsity == null ? 0.5 : sparsity;
        BertWeights startWeights;
        try (ProgressBar progress = ProgressBar.onTerminal(err)) {
            startWeights = startingPoint(teacher, p, target, n, progress);
        }
        List<TokenizedText> tokens;
        try (TextTokenizer tokenizer = TextTokenizer.fromJson(teacher.tokenizerJson(), teacher.source())) {
            tokens = tokenizer.encode(texts);
        }
        boolean resuming = resume && Distiller.hasCheckpoint(state);
        if (resume && !resuming) {
            err.printf("sparseinfer: no checkpoint at %s; starting from the beginning%n", state);
        }
        // A run sized by time takes its size from its checkpoint; a step count given again must match it.
        int steps = length.steps != null
                ? length.steps
                : resuming ? Distiller.checkpointSteps(state) : length.minutes == null ? 1000 : -1;
        DistillSettings settings = DistillSettings.defaults(p, target, Math.max(1, steps))
                .withBatch(batch, 2048)
                .withLearningRate(learningRate != null ? learningRate : DistillSettings.defaultLearningRate(p))
                .withSeed(seed)
                .withQuantizationAware(scheme, scheme == null ? 0 : qatFraction == null ? 0.2 : qatFraction);
        String source = teacher.source() + " | start " + start + " | corpus "
                + (corpus == null ? "wordnet" : corpus.toString()) + " (" + texts.size() + " texts)";
        if (steps < 0) {
            // Whole steps, AdamW included, on a student that is thrown away; the first step warms the JIT up.
            try (Distiller probe = new Distiller(
                    teacher.weights(), startWeights, tokens, settings.withSteps(PROBE_STEPS), n, source)) {
                double[] total = new double[1];
                probe.run(PROBE_STEPS, null, Duration.ZERO, r -> total[0] += r.step() > 0 ? r.seconds() : 0);
                double seconds = total[0] / (PROBE_STEPS - 1);
                steps = Math.max(1, (int) (length.minutes * 60 / seconds));
                err.printf(
                        Locale.ROOT,
                        "sparseinfer: %.2f s per step: %d steps in %.0f minutes%n",
                        seconds,
                        steps,
                        length.minutes);
            }
            settings = settings.withSteps(steps);
        }
        TeacherAgreement heldOut = new TeacherAgreement(teacher, CalibrationSet.heldOutSets(), n);
        try (Distiller run = new Distiller(teacher.weights(), startWeights, tokens, settings, n, source)) {
            if (resuming) {
                run.resume(state);
                err.printf("sparseinfer: resuming %s at step %d of %d%n", state, run.nextStep(), steps);
            }
            report(err, run, heldOut, "start", p, scheme);
            train(run, state, err, heldOut, p, scheme);
            if (run.nextStep() < settings.steps()) {
                err.printf(
                        "sparseinfer: stopped after step %d; continue with --resume (checkpoint %s)%n",
                        run.nextStep(), state);
                return 0;
            }
            report(err, run, heldOut, "end", p, scheme);
            BertWeights trained = run.student().toWeights(formatFor(p));
            Recipe recipe = Recipe.of(teacher)
                    .with("distill.pattern", p.label())
                    .with("distill.sparsity", String.format(Locale.ROOT, "%.4f", target))
                    .with("distill.steps", Integer.toString(settings.steps()))
                    .with("distill.batch", Integer.toString(settings.batchSequences()))
                    .with("distill.learning_rate", Double.toString(settings.learningRate()))
                    .with("distill.start", start)
                    .with(
                            "distill.corpus",
                            corpus == null ? "wordnet" : corpus.getFileName().toString())
                    .with("distill.corpus_texts", Integer.toString(texts.size()))
                    .with("distill.seed", Long.toString(seed))
                    // The demo's variant cache uses a distilled file only if it was trained from the same model.
                    .with(SourceIdentity.TEACHER_RECIPE_KEY, SourceIdentity.of(teacherPath));
            if (scheme != null) {
                trained = Int8Quantizer.quantize(trained, scheme);
                recipe = recipe.with("distill.qat_steps", Integer.toString(settings.qatSteps()))
                        .with("quantize.scheme", scheme.label());
                String what = settings.qatSteps() > 0
                        ? scheme.label() + " after " + settings.qatSteps() + " quantisation-aware steps"
                        : "post-training " + scheme.label();
                err.println(cosineLine("end: " + what + " (written)", heldOut.meanCosines(trained)));
            }
            LoadedModel result = new Derivation(teacher, trained, recipe, TableFormat.FP32).write(out);
            Files.deleteIfExists(state);
            Summary.print(err, teacher, result, out, n);
        }
        return 0;
    }

    private void train(
            Distiller run, Path state, PrintWriter err, TeacherAgreement heldOut, PrunePattern p, Int8Scheme scheme) {
        int last = untilStep == null
                ? run.settings().steps()
                : Math.min(untilStep, run.settings().steps());
        long started = System.nanoTime();
        int first = run.nextStep();
        Duration every = Duration.ofMillis((long) (checkpointMinutes * 60_000));
        try (ProgressBar progress = ProgressBar.onTerminal(err)) {
            while (run.nextStep() < last) {
                int until = evalEvery > 0 ? Math.min(last, (run.nextStep() / evalEvery + 1) * evalEvery) : last;
                // Stops where quantisation-aware steps begin, to measure the model they start from.
                if (run.nextStep() < run.settings().qatStart()) {
                    until = Math.min(until, run.settings().qatStart());
                }
                run.run(until, state, every, r -> {
                    double elapsed = (System.nanoTime() - started) / 1e9;
                    double eta = elapsed / (r.step() + 1 - first) * (last - r.step() - 1);
                    progress.update(
                            String.format(
                                    Locale.ROOT,
                                    "step %d/%d loss %.4f sparsity %.1f%% ETA %s",
                                    r.step() + 1,
                                    r.steps(),
                                    r.loss(),
                                    100 * r.sparsity(),
                                    minutes(eta)),
                            r.step() + 1,
                            r.steps());
                    if (verbose.verbose) {
                        err.printf(
                                Locale.ROOT,
                                "%nstep %d loss %.5f |g| %.3f lr %.2e %.2f s (teacher %.2f s)%n",
                                r.step() + 1,
                                r.loss(),
                                r.gradientNorm(),
                                r.learningRate(),
                                r.seconds(),
                                r.teacherSeconds());
                    }
                });
                if (run.nextStep() < last) {
                    progress.close();
                    report(err, run, heldOut, "step " + run.nextStep(), p, scheme);
                }
            }
        }
    }

    /**
     * The fp32 student's held-out agreement; where quantisation-aware steps are about to begin, also that of the
     * student quantised as it stands, which is what quantising after training alone would give.
     */
    private static void report(
            PrintWriter err, Distiller run, TeacherAgreement heldOut, String when, PrunePattern p, Int8Scheme scheme) {
        err.println(cosineLine(
                String.format(
                        Locale.ROOT,
                        "%s: %ssparsity %.1f%%",
                        when,
                        scheme == null ? "" : "fp32, ",
                        100 * run.student().sparsity()),
                heldOut.meanCosines(run.student().toWeights(DenseWeights::new))));
        DistillSettings settings = run.settings();
        if (scheme != null && settings.qatSteps() > 0 && run.nextStep() == settings.qatStart()) {
            BertWeights quantized = Int8Quantizer.quantize(run.student().toWeights(formatFor(p)), scheme);
            err.println(cosineLine(when + ": post-training " + scheme.label(), heldOut.meanCosines(quantized)));
        }
        err.flush();
    }

    private static String cosineLine(String what, Map<String, Double> cosines) {
        StringBuilder line = new StringBuilder("sparseinfer: " + what + ", held-out mean cosine");
        cosines.forEach((name, c) -> line.append(String.format(Locale.ROOT, " %s %.4f", name, c)));
        return line.toString();
    }

    private BertWeights startingPoint(LoadedModel teacher, PrunePattern p, double target, int n, ProgressBar progress) {
        return switch (start) {
            case "magnitude" -> teacher.weights();
            case "sparsegpt" ->
                Derivation.prune(
                                teacher,
                                PruneSpec.of(p, target, PruneMethod.SPARSEGPT),
                                calibration.texts(),
                                n,
                                progress)
                        .weights();
            default -> {
                Path file = Path.of(start);
                if (!Files.isRegularFile(file)) {
                    throw SparseInferException.invalidArgument(
                            "--start must be magnitude, sparsegpt or a model file; " + start + " is none");
                }
                BertWeights w = ModelLoader.load(file).weights();
                BertConfig c = teacher.weights().config();
                if (w.config().layers() != c.layers() || w.config().hiddenSize() != c.hiddenSize()) {
                    throw SparseInferException.invalidArgument(
                            "--start " + start + " is not the same architecture as the teacher");
                }
                yield w;
            }
        };
    }

    private static Function<FloatMatrix, LinearWeights> formatFor(PrunePattern p) {
        return p == PrunePattern.TWO_FOUR ? TwoFourWeights::fromDense : CsrWeights::fromDense;
    }

    private static String minutes(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
