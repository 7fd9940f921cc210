import Foundation
import Frontend
import IR
import Optimizer
import Testing

/// The IR text format reads back every operator: each operator rebuilt from the attributes it
/// prints equals the original, and every shared model (imported, and optimized) prints, parses and
/// prints again to identical text.
@Suite struct RoundTripTests {
    static let f = ElementType.float32

    /// One instance of every registered operator with non-default attributes, and input types it accepts.
    static let samples: [(any Operator, [TensorType])] = {
        let x4 = TensorType(f, [1, 8, 6, 6]), x2 = TensorType(f, [2, 12]), i64 = TensorType(.int64, [3, 4])
        let w = TensorType(f, [8, 4, 3, 3]), b = TensorType(f, [8])
        let conv = Conv(strides: [2, 1], dilations: [1, 2], pads: [1, 2, 0, 1], group: 2)
        let window = PoolWindow(kernel: [3, 2], strides: [2, 2], dilations: [1, 1], pads: [1, 0, 1, 1], ceilMode: true)
        // Scalars built through the importers so the test needs no internal helpers.
        let int32Value = Tensor(copying: [Int32(7)], as: TensorType(.int32, []))
        let list: [(any Operator, [TensorType])] = [
            (AveragePool(window: window, countIncludePad: true), [x4]),
            (MaxPool(window: window), [x4]),
            (BatchNormalization(epsilon: 1e-3), [x4, b, b, b, b]),
            (conv, [x4, w, b]),
            (Gemm(alpha: 0.5, beta: 2, transA: true, transB: true), [TensorType(f, [12, 2]), TensorType(f, [5, 12]), TensorType(f, [5])]),
            (GlobalAveragePool(), [x4]),
            (MatMul(), [x2, TensorType(f, [12, 3])]),
            (ReduceMean(axes: [1, 3], keepdims: false), [x4]),
            (ReduceMean(axes: [], keepdims: true), [x4]),
            (Relu(), [x4]),
            (Softmax(axes: [2, 3]), [x4]),
            (Softmax(axes: [0]), [x4]),
            (Shape(start: 1, end: -1), [x4]),
            (Flatten(axis: 2), [x4]),
            (Reshape(shape: [0, -1, 3], allowZero: false), [x4]),
            (Reshape(shape: [4, 2, 36], allowZero: true), [x4]),
            (Squeeze(axes: [0]), [x4]),
            (Squeeze(axes: nil), [x4]),
            (Unsqueeze(axes: [0, -1]), [x4]),
            (Transpose(perm: [0, 2, 3, 1]), [x4]),
            (Concat(axis: -1), [x4, x4]),
            (Pad(pads: [0, 0, 1, -1, 0, 0, 2, 1], mode: .constant, value: int32Value), [TensorType(.int32, [1, 8, 6, 6])]),
            (Pad(pads: [0, 0, 1, 1, 0, 0, 1, 1], mode: .reflect, value: Tensor(shape: [], floats: [0.25])), [x4]),
            (ConstantOfShape(shape: [2, 3], value: Tensor(shape: [], int64s: [5])), []),
            (ConstantOfShape(shape: [4], value: Tensor(shape: [], floats: [-1.5])), []),
            (Gather(axis: 1), [i64, TensorType(.int64, [2])]),
            (Slice(starts: [1, -3], ends: [Int.max, 1], axes: [1, -1], steps: [2, -1]), [x4]),
            (Expand(shape: [2, 1, 1, 1]), [x4]),
            (Sigmoid(), [x4]), (HardSigmoid(alpha: 0.25, beta: 0.375), [x4]), (HardSwish(), [x4]), (Swish(alpha: 1.5), [x4]),
            (Clip(min: 0, max: 6), [x4]), (Clip(min: -1, max: nil), [x4]), (Clip(min: nil, max: 3), [i64]), (Clip(), [x4]),
            (Ceil(), [x4]), (Floor(), [x4]), (Sqrt(), [x4]), (Exp(), [x4]), (Tanh(), [x4]), (Erf(), [x4]), (Identity(), [x4]),
            (Dropout(maskType: .bool), [x4]), (Dropout(maskType: .float32), [x4]),
            (Cast(to: .int32), [x4]), (Cast(to: .bool), [i64]),
            (Add(), [x4, TensorType(f, [8, 1, 1])]), (Sub(), [i64, i64]), (Mul(), [x4, x4]), (Div(), [x4, x4]), (Pow(), [x4, x4]),
            (Min(), [x4, x4]), (Max(), [x4, x4, x4]), (Equal(), [i64, i64]), (Where(), [TensorType(.bool, [3, 4]), i64, i64]),
            (Relu6(), [x4]), (SiLU(), [x4]), (ScaleShift(), [x4, b, b]),
            (SqueezeExcite(activation: .silu, gate: .hardSigmoid(alpha: 0.1666, beta: 0.5)),
             [x4, TensorType(f, [2, 8]), TensorType(f, [2]), TensorType(f, [8, 2]), b]),
            (FusedConv(conv: conv, activation: .clip(min: -1, max: 2), residualFirst: true), [x4, w, b, TensorType(f, [1, 8, 3, 5])]),
            (FusedConv(conv: conv, activation: .relu6), [x4, w, b]),
            (SqueezeExciteGate(activation: .relu, gate: .sigmoid), [x4, TensorType(f, [2, 8]), TensorType(f, [2]), TensorType(f, [8, 2]), b]),
            (FusedConv(conv: Conv(), activation: .silu, gated: true),
             [x4, TensorType(f, [4, 8, 1, 1]), TensorType(f, [4]), TensorType(f, [1, 8, 1, 1]), TensorType(f, [1, 4, 6, 6])]),
            (ExpandDepthwise(expandActivation: .hardSwish, depthwise: Conv(strides: [2, 2], pads: [0, 1, 1, 2], group: 24), activation: .relu6),
             [x4, TensorType(f, [24, 8, 1, 1]), TensorType(f, [24]), TensorType(f, [24, 1, 3, 3]), TensorType(f, [24])]),
            (ExpandDepthwise(expand: Conv(strides: [2, 1], dilations: [1, 2], pads: [1, 0, 1, 2]), expandActivation: .silu,
                             depthwise: Conv(pads: [1, 1, 1, 1], group: 16), activation: .none),
             [x4, TensorType(f, [16, 8, 3, 3]), TensorType(f, [16]), TensorType(f, [16, 1, 3, 3]), TensorType(f, [16])]),
            // with the project conv, and its residual
            (ExpandDepthwise(expandActivation: .relu6, depthwise: Conv(pads: [1, 1, 1, 1], group: 24), activation: .relu6,
                             projectActivation: Activation.none),
             [x4, TensorType(f, [24, 8, 1, 1]), TensorType(f, [24]), TensorType(f, [24, 1, 3, 3]), TensorType(f, [24]),
              TensorType(f, [8, 24, 1, 1]), TensorType(f, [8]), x4]),
            (ExpandDepthwise(expandActivation: .silu, depthwise: Conv(strides: [2, 2], pads: [0, 0, 1, 1], group: 24),
                             activation: .silu, projectActivation: .hardSwish),
             [x4, TensorType(f, [24, 8, 1, 1]), TensorType(f, [24]), TensorType(f, [24, 1, 3, 3]), TensorType(f, [24]),
              TensorType(f, [5, 24, 1, 1]), TensorType(f, [5])]),
            (Dense(activation: .sigmoid), [x4, TensorType(f, [5, 288]), TensorType(f, [5])]),
            (Reorder(from: .nchw, to: .nchw16c), [x4]),
        ]
        return list
    }()

    @Test func everyRegisteredOperatorHasASample() {
        let sampled = Set(Self.samples.map { $0.0.opType })
        let registered = Set(OperatorRegistry.onnxOperators.keys).union(OperatorRegistry.kilnOperators.keys)
        #expect(registered.subtracting(sampled).isEmpty, "operators without a round-trip sample: \(registered.subtracting(sampled).sorted())")
    }

    @Test func everyOperatorReadsBackFromItsAttributes() throws {
        for (op, inputTypes) in Self.samples {
            // The sample must be valid, or the test would prove nothing.
            let outputs = try op.inferTypes(inputTypes)
            let attributes = Attributes(Dictionary(op.attributeList, uniquingKeysWith: { a, _ in a }))
            let kind = type(of: op)
            let parsed: any Operator
            do {
                parsed = try kind.parse(attributes, inputTypes: inputTypes)
            } catch {
                Issue.record("\(op.opType) \(op.attributeList): \(error)")
                continue
            }
            #expect(sameOperator(op, parsed), "\(op.opType): \(op) read back as \(parsed)")
            #expect(try parsed.inferTypes(inputTypes) == outputs)
        }
    }

    @Test(arguments: SharedData.modelNames)
    func modelTextRoundTrips(_ name: String) throws {
        guard let root = SharedData.available("round trip of \(name)") else { return }
        let path = root.appendingPathComponent("models/\(name)/model.onnx").path
        var graph = try ONNXImporter.load(path: path).graph
        try expectRoundTrip(graph, "\(name) imported")
        try Pipeline.run(Pipeline.standard(), on: &graph, options: .init(verifyEach: true))
        try expectRoundTrip(graph, "\(name) optimized")
    }

    private func expectRoundTrip(_ graph: Graph, _ label: String) throws {
        let text = IRPrinter().print(graph)
        let reparsed = try IRParser.parse(text)
        let again = IRPrinter().print(reparsed)
        #expect(again == text, "\(label): the printed IR does not read back identically")
    }
}

/// Whether two operators are the same type with equal attributes (every operator is Equatable).
func sameOperator(_ a: any Operator, _ b: any Operator) -> Bool {
    func equal<T: Equatable>(_ a: T, _ b: Any) -> Bool { (b as? T) == a }
    guard let a = a as? any Equatable else { return false }
    return equal(a, b)
}
