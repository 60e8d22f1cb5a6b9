package io.github.bertembed.pooling;

import java.util.Locale;

/**
 * sentence-transformers' Dense module: {@code activation(W x + b)}, a projection after pooling (LaBSE and others).
 *
 * <pre>{@code
 * DenseLayer d = new DenseLayer(768, 768, weights, bias, DenseLayer.Activation.TANH);
 * float[] y = d.apply(pooled);
 * }</pre>
 *
 * @param in         input size
 * @param out        output size
 * @param weight     row-major [out, in], as torch's {@code Linear.weight}
 * @param bias       [out], or null for none
 * @param activation applied to each output
 */
public record DenseLayer(int in, int out, float[] weight, float[] bias, Activation activation) {

    public DenseLayer {
        if (weight.length != (long) in * out || (bias != null && bias.length != out)) {
            throw new IllegalArgumentException("dense layer " + in + "→" + out + ": weight of " + weight.length
                    + " values" + (bias == null ? "" : ", bias of " + bias.length));
        }
    }

    /** The activations sentence-transformers' Dense modules are saved with, by their torch class name. */
    public enum Activation {
        IDENTITY, TANH, RELU, SIGMOID;

        /**
         * The activation of a config's {@code activation_function} ({@code torch.nn.modules.activation.Tanh}).
         *
         * @throws IllegalArgumentException naming it, for one we do not compute
         */
        public static Activation ofTorchClass(String name) {
            String simple = name.substring(name.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
            for (Activation a : values()) {
                if (a.name().equals(simple)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("activation " + name + " is not one bert-embed computes (Identity,"
                    + " Tanh, ReLU, Sigmoid)");
        }

        double apply(double x) {
            return switch (this) {
                case IDENTITY -> x;
                case TANH -> Math.tanh(x);
                case RELU -> Math.max(0, x);
                case SIGMOID -> 1 / (1 + Math.exp(-x));
            };
        }
    }

    /** {@code activation(W x + b)}, summed in double. */
    public float[] apply(float[] x) {
        if (x.length != in) {
            throw new IllegalArgumentException("dense layer takes " + in + " values, got " + x.length);
        }
        float[] y = new float[out];
        for (int o = 0; o < out; o++) {
            double s = bias == null ? 0 : bias[o];
            int row = o * in;
            for (int i = 0; i < in; i++) {
                s += (double) weight[row + i] * x[i];
            }
            y[o] = (float) activation.apply(s);
        }
        return y;
    }
}
