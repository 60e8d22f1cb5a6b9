package io.github.bertembed;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An fp32 initializer read straight from the ONNX protobuf, with none of our onnx or embedding code: the
 * independent side of tests that check our table look-ups.
 *
 * @param rows    the first dimension
 * @param columns the product of the others
 * @param values  row-major
 */
record RawInitializer(int rows, int columns, float[] values) {

    static RawInitializer read(Path model, String name) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(Files.readAllBytes(model));
        in.setSizeLimit(Integer.MAX_VALUE);
        for (OnnxMl.TensorProto t : OnnxMl.ModelProto.parseFrom(in).getGraph().getInitializerList()) {
            if (!t.getName().equals(name)) {
                continue;
            }
            if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
                throw new IllegalArgumentException(name + " is not fp32");
            }
            float[] v;
            if (!t.getRawData().isEmpty()) {
                var fb = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                v = new float[fb.remaining()];
                fb.get(v);
            } else {
                v = new float[t.getFloatDataCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = t.getFloatData(i);
                }
            }
            int rows = (int) t.getDims(0);
            return new RawInitializer(rows, v.length / rows, v);
        }
        throw new IllegalArgumentException(model + " has no initializer " + name);
    }
}
