package dev.sparseinfer.cli;

import dev.sparseinfer.models.calibration.CalibrationSet;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --calibration FILE}: one text per line; the shipped default set when absent. */
final class CalibrationOption {

    @Option(
            names = "--calibration",
            paramLabel = "FILE",
            description = "Calibration texts, one per line (default: 1,370 shipped sentences).")
    Path file;

    List<String> texts() {
        return file == null ? CalibrationSet.defaultTexts() : CalibrationSet.readTexts(file);
    }
}
