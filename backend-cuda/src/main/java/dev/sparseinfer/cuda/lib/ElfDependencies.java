package dev.sparseinfer.cuda.lib;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The sonames a shared library asks the dynamic linker for ({@code DT_NEEDED} entries of its {@code .dynamic}
 * section), so that those found in the user's folders can be loaded first. Reads 64-bit little-endian ELF only
 * (the only kind JCuda ships natives for); anything else has no dependencies we can help with. The file is mapped,
 * and every read goes through the mapped segment, which bounds-checks it against the file's size.
 */
final class ElfDependencies {

    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ElfDependencies() {}

    static List<String> needed(Path library) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel channel = FileChannel.open(library, StandardOpenOption.READ)) {
            MemorySegment elf = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return isElf64LittleEndian(elf) ? needed(elf) : List.of();
        } catch (IndexOutOfBoundsException e) {
            throw new IOException(library + " is not a well-formed ELF file: an offset points past its end");
        }
    }

    private static boolean isElf64LittleEndian(MemorySegment elf) {
        return elf.byteSize() >= 64
                && elf.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0) == 0x7F454C46
                && elf.get(ValueLayout.JAVA_BYTE, 4) == 2 // ELFCLASS64
                && elf.get(ValueLayout.JAVA_BYTE, 5) == 1; // ELFDATA2LSB
    }

    private static List<String> needed(MemorySegment elf) {
        long sectionTable = elf.get(U64, 0x28);
        int entrySize = Short.toUnsignedInt(elf.get(U16, 0x3A));
        int sections = Short.toUnsignedInt(elf.get(U16, 0x3C));
        List<String> needed = new ArrayList<>();
        for (int i = 0; i < sections; i++) {
            MemorySegment header = elf.asSlice(sectionTable + (long) i * entrySize, 64);
            if (header.get(U32, 4) != SHT_DYNAMIC) {
                continue;
            }
            MemorySegment dynamic = elf.asSlice(header.get(U64, 0x18), header.get(U64, 0x20));
            MemorySegment stringsHeader = elf.asSlice(sectionTable + (long) header.get(U32, 0x28) * entrySize, 64);
            MemorySegment strings = elf.asSlice(stringsHeader.get(U64, 0x18), stringsHeader.get(U64, 0x20));
            for (long entry = 0; entry + 16 <= dynamic.byteSize(); entry += 16) {
                long tag = dynamic.get(U64, entry);
                if (tag == DT_NULL) {
                    break;
                }
                if (tag == DT_NEEDED) {
                    needed.add(strings.getString(dynamic.get(U64, entry + 8)));
                }
            }
        }
        return needed;
    }
}
