package dev.sparseinfer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KernelFatbinTest {

    private static boolean nvccOnPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "nvcc"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void fatbinHoldsEveryKernelForEveryTargetArchitecture() {
        assumeTrue(nvccOnPath(), "nvcc is not on the PATH, so the build made no fatbin");
        byte[] fatbin = KernelFatbin.load()
                .orElseThrow(() ->
                        new AssertionError("nvcc is on the PATH but " + KernelFatbin.RESOURCE + " was not built"));
        Map<Integer, Set<String>> functionsByArch = cubinFunctions(fatbin);
        assertEquals(Set.of(80, 86, 89, 90), functionsByArch.keySet(), "machine code architectures");
        for (var entry : functionsByArch.entrySet()) {
            for (KernelName kernel : KernelName.values()) {
                assertTrue(
                        entry.getValue().contains(kernel.symbol()),
                        "sm_" + entry.getKey() + " cubin lacks " + kernel.symbol() + "; it has " + entry.getValue());
            }
        }
        String text = new String(fatbin, StandardCharsets.ISO_8859_1);
        for (KernelName kernel : KernelName.values()) {
            assertTrue(text.contains(".entry " + kernel.symbol()), "PTX lacks " + kernel.symbol());
        }
    }

    @Test
    void ptxasReportShowsNoRegisterSpills() throws IOException {
        assumeTrue(nvccOnPath(), "nvcc is not on the PATH, so the build made no ptxas report");
        Path report = Path.of(System.getProperty("kernels.ptxasReport", "target/ptxas-report.txt"));
        String text = Files.readString(report);
        Matcher m = Pattern.compile(
                        "Function properties for (\\w+)\\s+(\\d+) bytes stack frame, (\\d+) bytes spill stores, "
                                + "(\\d+) bytes spill loads")
                .matcher(text);
        List<String> spills = new ArrayList<>();
        int functions = 0;
        while (m.find()) {
            functions++;
            if (!m.group(3).equals("0") || !m.group(4).equals("0")) {
                spills.add(m.group(1) + " (" + m.group(3) + " B stores, " + m.group(4) + " B loads)");
            }
        }
        assertEquals(4 * KernelName.values().length, functions, "kernels in the ptxas report (4 architectures)");
        assertTrue(spills.isEmpty(), "register spills: " + spills);
    }

    /** Function symbols of every CUDA ELF image in the (uncompressed) fatbin, keyed by its sm architecture. */
    private static Map<Integer, Set<String>> cubinFunctions(byte[] fatbin) {
        Map<Integer, Set<String>> result = new TreeMap<>();
        ByteBuffer b = ByteBuffer.wrap(fatbin).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 64 <= fatbin.length; at++) {
            if (fatbin[at] != 0x7f || fatbin[at + 1] != 'E' || fatbin[at + 2] != 'L' || fatbin[at + 3] != 'F') {
                continue;
            }
            int arch = (b.getInt(at + 0x30) >>> 8) & 0xff;
            long shoff = b.getLong(at + 0x28);
            int shentsize = Short.toUnsignedInt(b.getShort(at + 0x3A));
            int shnum = Short.toUnsignedInt(b.getShort(at + 0x3C));
            Set<String> names = new HashSet<>();
            for (int s = 0; s < shnum; s++) {
                int sh = (int) (at + shoff + (long) s * shentsize);
                if (b.getInt(sh + 4) != 2) { // SHT_SYMTAB
                    continue;
                }
                long off = b.getLong(sh + 0x18);
                long size = b.getLong(sh + 0x20);
                int strtab = (int) (at + shoff + (long) b.getInt(sh + 0x28) * shentsize);
                int strOff = (int) (at + b.getLong(strtab + 0x18));
                for (long e = 0; e < size; e += 24) {
                    int sym = (int) (at + off + e);
                    if ((fatbin[sym + 4] & 0xf) == 2) { // STT_FUNC
                        int name = strOff + b.getInt(sym);
                        int end = name;
                        while (fatbin[end] != 0) {
                            end++;
                        }
                        names.add(new String(fatbin, name, end - name, StandardCharsets.US_ASCII));
                    }
                }
            }
            result.put(arch, names);
        }
        return result;
    }
}
