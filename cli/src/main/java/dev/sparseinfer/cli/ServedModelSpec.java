package dev.sparseinfer.cli;

import dev.sparseinfer.engine.api.SparseInferException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One {@code serve --model} value: {@code NAME=SPEC}, or a bare SPEC named after itself (a built-in name as given,
 * a file by its name without extension, a directory by its name). Requests pick the model by this name.
 *
 * @param name what clients send as {@code model}
 * @param spec what {@code --model} resolves: a built-in name or a path
 */
record ServedModelSpec(String name, String spec) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");

    static ServedModelSpec parse(String value) {
        int eq = value.indexOf('=');
        if (eq > 0 && NAME.matcher(value.substring(0, eq)).matches()) {
            String spec = value.substring(eq + 1);
            if (spec.isEmpty()) {
                throw SparseInferException.invalidArgument("--model " + value + ": nothing after '='");
            }
            return new ServedModelSpec(value.substring(0, eq), spec);
        }
        String name = defaultName(value);
        if (!NAME.matcher(name).matches()) {
            throw SparseInferException.invalidArgument("--model " + value + ": cannot make a model name of '" + name
                    + "'; give one as NAME=" + value + " (letters, digits, '.', '_', ':', '-')");
        }
        return new ServedModelSpec(name, value);
    }

    private static String defaultName(String spec) {
        Path file = Path.of(spec).getFileName();
        String name = file == null ? spec : file.toString();
        for (String extension : new String[] {".onnx", ".safetensors"}) {
            if (name.endsWith(extension) && name.length() > extension.length()) {
                return name.substring(0, name.length() - extension.length());
            }
        }
        return name;
    }
}
