import IR

/// What the catalog sees of one node: the computation, its tensor types (logical NCHW), which
/// inputs are constants, and the instruction set compiled for.
public struct KernelQuery: Sendable {
    public enum Computation: Sendable {
        /// FusedConv (bias, activation, optional residual and gate), or a Conv with a bias.
        case conv(FusedConv)
        case squeezeExcite(SqueezeExcite)
        case squeezeExciteGate(SqueezeExciteGate)
        case globalAveragePool
        /// A fully connected layer; its input may be 2-D or 4-D (flattened in NCHW order).
        case dense(Dense)
        /// Softmax over `axis`.
        case softmax(axis: Int)
        /// Elementwise addition of two tensors.
        case add
        /// A standalone activation.
        case activation(Activation)
        /// A reshape-like operator: the same elements under another shape.
        case copy
        case reorder(Reorder)
    }

    public var computation: Computation
    public var inputs: [TensorType]
    /// Per input, whether it is a constant (weights).
    public var constant: [Bool]
    public var output: TensorType
    public var isa: ISA

    public init(computation: Computation, inputs: [TensorType], constant: [Bool], output: TensorType, isa: ISA) {
        self.computation = computation
        self.inputs = inputs
        self.constant = constant
        self.output = output
        self.isa = isa
    }

    /// The query for node `node` of `graph`; nil for a node no kernel of the library computes.
    public init?(node: Node, in graph: Graph, isa: ISA) {
        guard node.outputs.count == 1, !node.inputs.isEmpty else { return nil }
        let computation: Computation
        switch node.op {
        case let op as FusedConv: computation = .conv(op)
        case let op as Conv: computation = .conv(FusedConv(conv: op))  // a conv with no epilogue
        case let op as SqueezeExcite: computation = .squeezeExcite(op)
        case let op as SqueezeExciteGate: computation = .squeezeExciteGate(op)
        case is GlobalAveragePool: computation = .globalAveragePool
        case let op as Dense: computation = .dense(op)
        case let op as Softmax:
            guard op.axes.count == 1, let axis = op.axes.first else { return nil }
            computation = .softmax(axis: axis)
        case is Add: computation = .add
        case let op as Reorder: computation = .reorder(op)
        case is Flatten, is Reshape, is Identity, is Squeeze, is Unsqueeze: computation = .copy
        default:
            guard let activation = Activation.computed(by: node.op) else { return nil }
            computation = .activation(activation)
        }
        self.init(computation: computation, inputs: node.inputs.map(graph.type(of:)),
                  constant: node.inputs.map { graph.constants[$0] != nil }, output: graph.type(of: node.outputs[0]), isa: isa)
    }

    /// The fraction of vector lanes `n` values fill when split into vectors of `width`.
    static func laneUse(_ n: Int, width: Int) -> Double {
        guard n > 0 else { return 1 }
        return Double(n) / Double((n + width - 1) / width * width)
    }

    /// Effective lanes of a kernel vectorized over `n` values at `efficiency` of the FMA peak.
    func lanes(_ n: Int, efficiency: Double) -> Double {
        Double(isa.vectorWidth) * Self.laneUse(n, width: isa.vectorWidth) * efficiency
    }

    /// Elements of the output.
    var elements: Double { Double(output.elementCount) }
}
