package dev.sparseinfer.cuda.lib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the standard dynamic loader finds a library without help: the {@code ldconfig} cache, then the default
 * folders. Asked only after the user's folders and {@code LD_LIBRARY_PATH}, so it runs {@code ldconfig -p} only
 * when a library is not found elsewhere.
 */
final class LoaderCache {

    private static final List<Path> LDCONFIG = List.of(Path.of("/sbin/ldconfig"), Path.of("/usr/sbin/ldconfig"));
    private static final List<Path> DEFAULT_FOLDERS = List.of(
            Path.of("/lib64"),
            Path.of("/usr/lib64"),
            Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib"),
            Path.of("/usr/lib"));

    private LoaderCache() {}

    static Optional<Path> find(String soname) {
        return cached(ldconfigListing(), soname)
                .or(() -> DEFAULT_FOLDERS.stream()
                        .map(folder -> folder.resolve(soname))
                        .filter(Files::isRegularFile)
                        .findFirst());
    }

    /**
     * The 64-bit x86 path {@code ldconfig -p} lists for {@code soname} (the only kind JCuda ships natives for). Its
     * lines read {@code "\tlibcublas.so.12 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcublas.so.12"}.
     */
    static Optional<Path> cached(String listing, String soname) {
        for (String line : listing.split("\n")) {
            String entry = line.strip();
            int arrow = entry.indexOf(" => ");
            if (arrow < 0
                    || !entry.startsWith(soname + " (")
                    || !entry.substring(0, arrow).contains("x86-64")) {
                continue;
            }
            Path path = Path.of(entry.substring(arrow + 4).strip());
            if (Files.isRegularFile(path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    private static String ldconfigListing() {
        for (Path ldconfig : LDCONFIG) {
            if (!Files.isExecutable(ldconfig)) {
                continue;
            }
            try {
                Process process = new ProcessBuilder(ldconfig.toString(), "-p")
                        .redirectErrorStream(true)
                        .start();
                byte[] output = process.getInputStream().readAllBytes();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                } else if (process.exitValue() == 0) {
                    return new String(output, StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                // An ldconfig that cannot run leaves the default folders to search.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "";
    }
}
