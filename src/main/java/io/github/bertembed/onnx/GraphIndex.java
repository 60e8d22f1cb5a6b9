package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The index every graph walk needs, built once over a node list: which node produces a value, which nodes consume
 * it, and the tensors behind names (initializers, and the values of Constant nodes). Used to read a model, to cut
 * it, and to match attention blocks.
 */
final class GraphIndex {
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, TensorProto> constantNodes = new HashMap<>();

    GraphIndex(List<NodeProto> nodes, Collection<TensorProto> initializers) {
        for (TensorProto t : initializers) {
            this.initializers.put(t.getName(), t);
        }
        for (NodeProto n : nodes) {
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
            if (n.getOpType().equals("Constant")) {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("value")) {
                        constantNodes.put(n.getOutput(0), a.getT());
                    }
                }
            }
        }
    }

    /** The node that produces a value, or null for graph inputs and initializers. */
    NodeProto producer(String value) {
        return producers.get(value);
    }

    /** The nodes that read a value. */
    List<NodeProto> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** An initializer by name, or null. */
    TensorProto initializer(String name) {
        return initializers.get(name);
    }

    /** The value of the Constant node that produces {@code value}, or null. */
    TensorProto constantNode(String value) {
        return constantNodes.get(value);
    }

    /** The tensor behind a value: an initializer, or a Constant node's value; null if neither. */
    TensorProto constant(String value) {
        TensorProto t = initializers.get(value);
        return t != null ? t : constantNodes.get(value);
    }
}
