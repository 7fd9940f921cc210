/// The ONNX operators Kiln imports, by `op_type` (default domain).
///
/// Adding an operator: a file in `Ops/`, a line here, a reference kernel in `Sources/Reference/Kernels`.
public enum OperatorRegistry {
    public static let onnxOperators: [String: any Operator.Type] = {
        let all: [any Operator.Type] = [
            AveragePool.self,
            BatchNormalization.self,
            Conv.self,
            Gemm.self,
            GlobalAveragePool.self,
            MatMul.self,
            MaxPool.self,
            ReduceMean.self,
            Relu.self,
            Softmax.self,
            Shape.self, Flatten.self, Reshape.self, Squeeze.self, Unsqueeze.self, Transpose.self, Concat.self,
            Pad.self, ConstantOfShape.self, Gather.self, Slice.self, Expand.self,
            Sigmoid.self, HardSigmoid.self, HardSwish.self, Swish.self, Clip.self, Ceil.self, Floor.self, Sqrt.self,
            Exp.self, Tanh.self, Erf.self, Identity.self, Dropout.self, Cast.self,
            Add.self, Sub.self, Mul.self, Div.self, Pow.self, Min.self, Max.self, Equal.self, Where.self,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.opType, $0) })
    }()

    /// Operators Kiln's passes create; never imported from ONNX, but read from the IR text format.
    public static let kilnOperators: [String: any Operator.Type] = {
        let all: [any Operator.Type] = [
            Relu6.self, SiLU.self, ScaleShift.self, SqueezeExcite.self, SqueezeExciteGate.self, FusedConv.self, Dense.self,
            ExpandDepthwise.self,
            Reorder.self,
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.opType, $0) })
    }()

    /// An operator by name, ONNX or Kiln.
    public static func named(_ opType: String) -> (any Operator.Type)? {
        onnxOperators[opType] ?? kilnOperators[opType]
    }
}
