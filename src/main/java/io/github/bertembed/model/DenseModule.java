package io.github.bertembed.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.pooling.DenseLayer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A sentence-transformers Dense module folder ({@code 2_Dense/}): its {@code config.json} ({@code in_features},
 * {@code out_features}, {@code bias}, {@code activation_function}) and its weights ({@code model.safetensors}:
 * {@code linear.weight}, {@code linear.bias}).
 *
 * <pre>{@code
 * DenseLayer dense = DenseModule.read(folder.resolve("2_Dense"));
 * }</pre>
 */
public final class DenseModule {
    private DenseModule() {
    }

    /** @throws IllegalArgumentException naming the file at fault: missing, other shapes, pickled weights only */
    public static DenseLayer read(Path module) {
        Path config = module.resolve("config.json");
        Path weights = module.resolve("model.safetensors");
        try {
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("Dense module " + module + " has no config.json");
            }
            if (!Files.isRegularFile(weights)) {
                throw new IllegalArgumentException("Dense module " + module + " has no model.safetensors"
                        + (Files.isRegularFile(module.resolve("pytorch_model.bin")) ? " (only pytorch_model.bin, a"
                        + " pickle bert-embed does not read: save the model again with a recent sentence-transformers,"
                        + " which writes safetensors)" : ""));
            }
            JsonNode c = new ObjectMapper().readTree(config.toFile());
            int in = c.path("in_features").asInt(-1);
            int out = c.path("out_features").asInt(-1);
            if (in < 1 || out < 1) {
                throw new IllegalArgumentException(config + " has no in_features / out_features");
            }
            DenseLayer.Activation activation = DenseLayer.Activation.ofTorchClass(
                    c.path("activation_function").asText("torch.nn.modules.linear.Identity"));
            SafetensorsFile file = SafetensorsFile.read(weights);
            long[] shape = file.shape("linear.weight");
            if (!Arrays.equals(shape, new long[]{out, in})) {
                throw new IllegalArgumentException(weights + ": linear.weight is " + Arrays.toString(shape) + ", not ["
                        + out + ", " + in + "] as " + config + " says");
            }
            boolean bias = c.path("bias").asBoolean(true);
            return new DenseLayer(in, out, file.floats("linear.weight"), bias ? file.floats("linear.bias") : null,
                    activation);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Dense module " + module + ": " + e.getMessage(), e);
        }
    }
}
