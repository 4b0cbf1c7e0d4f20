package dev.sparseinfer.models.train;

import dev.sparseinfer.engine.api.SparseInferException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A training run's whole state after a step: every parameter, its pruning mask, AdamW's moments and step count, and
 * the settings' fingerprint. Written under a temporary name and renamed, so an interrupted write (Ctrl-C) leaves the
 * previous checkpoint intact; the temporary file is deleted when the JVM exits.
 */
final class Checkpoint {

    private static final int MAGIC = 0x53494443; // "SIDC"
    private static final int VERSION = 1;

    private Checkpoint() {}

    /** What a checkpoint holds besides the parameters and optimiser state it restores in place. */
    record Header(String fingerprint, int nextStep) {}

    static void save(
            Path file, String fingerprint, int steps, int nextStep, List<Parameter> parameters, AdamW optimizer) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            temp.toFile().deleteOnExit();
            try (DataOutputStream out =
                    new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(steps);
                out.writeUTF(fingerprint);
                out.writeInt(nextStep);
                out.writeInt(optimizer.steps());
                out.writeInt(parameters.size());
                for (int i = 0; i < parameters.size(); i++) {
                    Parameter p = parameters.get(i);
                    out.writeUTF(p.name());
                    out.writeInt(p.value().length);
                    floats(out, p.value());
                    floats(out, optimizer.firstMoments()[i]);
                    floats(out, optimizer.secondMoments()[i]);
                    boolean[] pruned = p.pruned();
                    out.writeBoolean(pruned != null);
                    if (pruned != null) {
                        byte[] bits = new byte[(pruned.length + 7) / 8];
                        for (int j = 0; j < pruned.length; j++) {
                            if (pruned[j]) {
                                bits[j >> 3] |= (byte) (1 << (j & 7));
                            }
                        }
                        out.write(bits);
                    }
                }
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO, "cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restores parameters, masks and optimiser state from {@code file}, refusing one written for other settings
     * or another model.
     */
    static Header restore(Path file, String fingerprint, List<Parameter> parameters, AdamW optimizer) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw SparseInferException.invalidArgument(file + " is not a distillation checkpoint");
            }
            in.readInt();
            String saved = in.readUTF();
            if (!saved.equals(fingerprint)) {
                throw SparseInferException.invalidArgument(
                        file + " was written by a run with other settings (" + saved + ")");
            }
            int nextStep = in.readInt();
            int optimizerSteps = in.readInt();
            if (in.readInt() != parameters.size()) {
                throw SparseInferException.invalidArgument(file + " holds another model's parameters");
            }
            float[][] first = new float[parameters.size()][];
            float[][] second = new float[parameters.size()][];
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                if (!in.readUTF().equals(p.name()) || in.readInt() != p.value().length) {
                    throw SparseInferException.invalidArgument(file + " holds another model's parameters");
                }
                readFloats(in, p.value());
                first[i] = readFloats(in, new float[p.value().length]);
                second[i] = readFloats(in, new float[p.value().length]);
                if (in.readBoolean()) {
                    byte[] bits = new byte[(p.value().length + 7) / 8];
                    in.readFully(bits);
                    boolean[] pruned = new boolean[p.value().length];
                    for (int j = 0; j < pruned.length; j++) {
                        pruned[j] = (bits[j >> 3] & (1 << (j & 7))) != 0;
                    }
                    p.prune(pruned);
                }
            }
            optimizer.restore(optimizerSteps, first, second);
            return new Header(saved, nextStep);
        } catch (EOFException e) {
            throw SparseInferException.invalidArgument(file + " is truncated");
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO, "cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** The total step count of the run that wrote {@code file}, so a run sized by time resumes with the same size. */
    static int totalSteps(Path file) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw SparseInferException.invalidArgument(file + " is not a distillation checkpoint");
            }
            return in.readInt();
        } catch (IOException e) {
            throw new SparseInferException(
                    SparseInferException.Code.IO, "cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static void floats(DataOutputStream out, float[] v) throws IOException {
        byte[] bytes = new byte[v.length * 4];
        ByteBuffer.wrap(bytes).asFloatBuffer().put(v);
        out.write(bytes);
    }

    private static float[] readFloats(DataInputStream in, float[] into) throws IOException {
        byte[] bytes = new byte[into.length * 4];
        in.readFully(bytes);
        ByteBuffer.wrap(bytes).asFloatBuffer().get(into);
        return into;
    }
}
