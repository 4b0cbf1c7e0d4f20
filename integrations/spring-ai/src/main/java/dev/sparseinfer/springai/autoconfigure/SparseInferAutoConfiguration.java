package dev.sparseinfer.springai.autoconfigure;

import dev.sparseinfer.engine.api.ModelOptions;
import dev.sparseinfer.springai.SparseInferEmbeddingModel;
import org.springframework.ai.embedding.AbstractEmbeddingModel;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Builds a {@link SparseInferEmbeddingModel} from the {@code spring.ai.sparseinfer.*} properties, unless the
 * application defines its own or selects another embedding model with {@code spring.ai.model.embedding}, as Spring
 * AI's own model starters do. The context closes the model when it closes.
 */
@AutoConfiguration
@ConditionalOnClass(AbstractEmbeddingModel.class)
@ConditionalOnProperty(
        name = SpringAIModelProperties.EMBEDDING_MODEL,
        havingValue = SparseInferAutoConfiguration.MODEL_NAME,
        matchIfMissing = true)
@EnableConfigurationProperties(SparseInferProperties.class)
public class SparseInferAutoConfiguration {

    /** The value of {@code spring.ai.model.embedding} that selects SparseInfer. */
    public static final String MODEL_NAME = "sparseinfer";

    @Bean
    @ConditionalOnMissingBean
    public SparseInferEmbeddingModel sparseInferEmbeddingModel(SparseInferProperties properties) {
        // Options first: a mistyped option fails before a built-in model is fetched.
        ModelOptions options = properties.toModelOptions();
        return new SparseInferEmbeddingModel(properties.resolveModel(), options);
    }
}
