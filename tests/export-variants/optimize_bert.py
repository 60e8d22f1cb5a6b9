"""Writes a BERT graph as optimum's optimized exports leave it: onnxruntime's transformer optimizer fuses the
embedding layer (EmbedLayerNormalization), attention (Attention), residual LayerNorms (SkipLayerNormalization) and
GELU (BiasGelu / FastGelu); with --fp16 it then converts the graph to float16 (inputs and outputs kept), as
optimum's O4 and model_fp16.onnx exports are. Used by ExportConventionsTest; needs `pip install onnxruntime`.

usage: python3 optimize_bert.py INPUT.onnx OUTPUT.onnx NUM_HEADS HIDDEN_SIZE [--fp16]
"""
import sys

from onnxruntime.transformers.optimizer import optimize_model

source, target, heads, hidden = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
model = optimize_model(source, model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0)
if "--fp16" in sys.argv[5:]:
    model.convert_float_to_float16(keep_io_types=True)
print(model.get_fused_operator_statistics())
model.save_model_to_file(target)
