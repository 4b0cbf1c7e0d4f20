package dev.sparseinfer.examples.springai;

import dev.sparseinfer.engine.api.Similarity;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.NestedExceptionUtils;

/**
 * A Spring Boot application whose embedding model comes from the SparseInfer auto-configuration: it embeds a few
 * documents and ranks them against a query, using only Spring AI's {@link EmbeddingModel} interface.
 *
 * <p>Usage: {@code SemanticSearch [--spring.ai.sparseinfer.model=SPEC] [--spring.ai.sparseinfer.backend=cpu] ...}:
 * any {@code spring.ai.sparseinfer.*} property, on the command line or in {@code application.properties}; the
 * model defaults to the built-in all-MiniLM-L6-v2.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class SemanticSearch {

    private static final String QUERY = "Where is the cat?";
    private static final List<String> DOCUMENTS = List.of(
            "The cat sat on the mat.",
            "Interest rates rose again this quarter.",
            "A kitten was sitting on the rug.",
            "Der Hund schläft im Garten.");

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SemanticSearch.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.setDefaultProperties(Map.of(
                "spring.ai.sparseinfer.model", "minilm",
                "spring.main.log-startup-info", "false"));
        try {
            application.run(args).close();
        } catch (RuntimeException e) {
            // Spring Boot logs why the start failed, but this example routes logging to SLF4J's no-op provider.
            System.err.println("SemanticSearch: "
                    + NestedExceptionUtils.getMostSpecificCause(e).getMessage());
            System.exit(1);
        }
    }

    @Bean
    ApplicationRunner search(EmbeddingModel embeddingModel) {
        return args -> {
            System.out.println("dimensions: " + embeddingModel.dimensions());
            float[] query = embeddingModel.embed(QUERY);
            List<float[]> documents = embeddingModel.embed(DOCUMENTS);
            System.out.println("query: \"" + QUERY + "\"");
            IntStream.range(0, DOCUMENTS.size())
                    .boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -Similarity.cosine(query, documents.get(i))))
                    .forEach(i -> System.out.printf(
                            "%.4f  \"%s\"%n", Similarity.cosine(query, documents.get(i)), DOCUMENTS.get(i)));
        };
    }
}
