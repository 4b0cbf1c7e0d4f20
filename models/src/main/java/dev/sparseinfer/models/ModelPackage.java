package dev.sparseinfer.models;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Where a built-in model's files are read from for extraction: the class path, or a jar file. */
sealed interface ModelPackage {

    /** The named file's bytes; fails if the package does not hold it. */
    InputStream open(String resource) throws IOException;

    /** Names the source in errors. */
    String describe();

    /** The application's class path already holds the model's jar. */
    record ClassPath(ClassLoader loader) implements ModelPackage {

        @Override
        public InputStream open(String resource) throws IOException {
            InputStream in = loader.getResourceAsStream(resource);
            if (in == null) {
                throw new IOException(resource + " is not on the class path");
            }
            return in;
        }

        @Override
        public String describe() {
            return "the class path";
        }
    }

    /** A jar in the local Maven repository. */
    record Jar(Path file) implements ModelPackage {

        @Override
        public InputStream open(String resource) throws IOException {
            ZipFile zip = new ZipFile(file.toFile());
            try {
                ZipEntry entry = zip.getEntry(resource);
                if (entry == null) {
                    throw new IOException(file + " holds no " + resource);
                }
                // Closing the entry's stream closes the jar too.
                return new FilterInputStream(zip.getInputStream(entry)) {
                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            zip.close();
                        }
                    }
                };
            } catch (IOException | RuntimeException e) {
                zip.close();
                throw e;
            }
        }

        @Override
        public String describe() {
            return file.toString();
        }
    }
}
