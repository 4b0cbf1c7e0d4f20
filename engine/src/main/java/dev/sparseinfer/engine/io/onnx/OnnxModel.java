package dev.sparseinfer.engine.io.onnx;

import dev.sparseinfer.engine.api.SparseInferException;
import dev.sparseinfer.engine.io.MappedFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The graph of an ONNX model file ({@code ModelProto.graph}): its nodes in file order (which ONNX requires to be
 * topological), its initializers by name, and which node produces and which nodes consume each value. The file is
 * memory-mapped into an arena of its own, and initializers stay slices of the mapping until their values are asked
 * for; {@link #close} unmaps it at once.
 */
public final class OnnxModel implements MappedFile {

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int VALUE_INFO_NAME = 1;

    private final String source;
    private final Arena arena;
    private final MemorySegment file;
    private final List<OnnxNode> nodes;
    private final Map<String, OnnxTensor> initializers;
    private final Set<String> graphInputs;
    private final Map<String, OnnxNode> producers = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();

    private OnnxModel(
            String source,
            Arena arena,
            MemorySegment file,
            List<OnnxNode> nodes,
            Map<String, OnnxTensor> initializers,
            List<String> graphInputs) {
        this.source = source;
        this.arena = arena;
        this.file = file;
        this.nodes = List.copyOf(nodes);
        this.initializers = Collections.unmodifiableMap(initializers);
        this.graphInputs = Set.copyOf(graphInputs);
        for (OnnxNode node : nodes) {
            // An empty name is ONNX's spelling of an omitted optional input or output, not a value.
            for (String output : node.outputs()) {
                if (!output.isEmpty()) {
                    producers.put(output, node);
                }
            }
            for (String input : node.inputs()) {
                if (!input.isEmpty()) {
                    consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
                }
            }
        }
    }

    /** Maps and parses an {@code .onnx} file. */
    public static OnnxModel open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                // Protobuf caps a message at 2 GiB, so models this big keep their weights in external data.
                throw SparseInferException.invalidModel(
                        file + ": " + size + " bytes is over the 2 GiB protobuf limit; external data not supported");
            }
            MemorySegment mapped =
                    channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asReadOnly();
            return parse(file.toString(), arena, mapped);
        } catch (IOException e) {
            arena.close();
            throw new SparseInferException(SparseInferException.Code.IO, file + ": cannot read (" + e + ")", e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Parses a serialized ModelProto; {@code source} names it in error messages. */
    private static OnnxModel parse(String source, Arena arena, MemorySegment file) {
        // A view of the mapping, so byte buffers sliced from it (raw_data) stay tied to the arena's lifetime.
        ProtoReader model = new ProtoReader(file.asByteBuffer(), source);
        ProtoReader graph = null;
        while (model.next()) {
            if (model.field() == MODEL_GRAPH) {
                graph = model.message();
            } else {
                model.skip();
            }
        }
        if (graph == null) {
            throw model.error("no graph in the file (is it an ONNX model?)");
        }
        List<OnnxNode> nodes = new ArrayList<>();
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        while (graph.next()) {
            switch (graph.field()) {
                case GRAPH_NODE -> nodes.add(OnnxNode.parse(graph.message()));
                case GRAPH_INITIALIZER -> {
                    OnnxTensor t = OnnxTensor.parse(graph.message());
                    initializers.put(t.name(), t);
                }
                case GRAPH_INPUT -> inputs.add(valueName(graph.message()));
                default -> graph.skip();
            }
        }
        return new OnnxModel(source, arena, file, nodes, initializers, inputs);
    }

    private static String valueName(ProtoReader valueInfo) {
        String name = "";
        while (valueInfo.next()) {
            if (valueInfo.field() == VALUE_INFO_NAME) {
                name = valueInfo.string();
            } else {
                valueInfo.skip();
            }
        }
        return name;
    }

    public List<OnnxNode> nodes() {
        return nodes;
    }

    /** Initializers in file order. */
    public Map<String, OnnxTensor> initializers() {
        return initializers;
    }

    public Optional<OnnxTensor> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    /** The node whose output {@code value} is, if any. */
    public Optional<OnnxNode> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    /** The nodes that read {@code value}, in graph order. */
    public List<OnnxNode> consumers(String value) {
        return List.copyOf(consumers.getOrDefault(value, List.of()));
    }

    /** Whether an initializer, a node or a graph input provides {@code value}, as a well-formed graph requires. */
    public boolean provides(String value) {
        return initializers.containsKey(value) || producers.containsKey(value) || graphInputs.contains(value);
    }

    /** The value of {@code value} if it is fixed in the file: an initializer or the output of a Constant node. */
    public Optional<OnnxTensor> constant(String value) {
        OnnxTensor init = initializers.get(value);
        if (init != null) {
            return Optional.of(init);
        }
        return producer(value)
                .filter(node -> node.opType().equals("Constant"))
                .flatMap(node -> node.attribute("value"))
                .map(OnnxAttribute::t);
    }

    @Override
    public void releasePages() {
        if (arena.scope().isAlive()) {
            file.unload();
        }
    }

    /** Unmaps the file: initializers' values can no longer be read. Closing twice does nothing. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** An error about this model, naming its file. */
    public SparseInferException error(String problem) {
        return SparseInferException.invalidModel(source + ": " + problem);
    }
}
