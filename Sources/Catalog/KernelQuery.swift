import IR

/// What the catalog sees of one node: the computation, its tensor types (logical NCHW), which
/// inputs are constants, and the instruction set compiled for.
public struct KernelQuery: Sendable {
    public enum Computation: Sendable {
        /// FusedConv (bias, activation, optional residual and gate), or a Conv with a bias.
        case conv(FusedConv)
        /// A conv (an MBConv's expand 1×1, or the stem) and the depthwise conv reading it as one node (`ExpandDepthwise`).
        case expandDepthwise(ExpandDepthwise)
        case squeezeExcite(SqueezeExcite)
        case squeezeExciteGate(SqueezeExciteGate)
        case globalAveragePool
        /// A fully connected layer; its input may be 2-D or 4-D (flattened in NCHW order).
        case dense(Dense)
        /// Softmax over a contiguous run of axes.
        case softmax(axes: [Int])
        /// Elementwise arithmetic under numpy broadcasting (Add, Sub, Mul, Div, Pow, Min, Max, Equal).
        case arithmetic(Arithmetic)
        /// A standalone activation.
        case activation(Activation)
        /// A unary map that is no activation (Sqrt, Exp, Tanh, Erf, Ceil, Floor, Swish).
        case map(UnaryMap)
        /// A reshape-like operator: the same elements under another shape.
        case copy
        /// Dropout at inference whose mask is read: the data copied, the mask all ones.
        case dropout
        case reorder(Reorder)
        case transpose(perm: [Int])
        case slice(Slice)
        case pad(Pad)
        case concat(axis: Int)
        case expand
        case gather(axis: Int)
        /// Where(condition, X, Y).
        case select
        case cast(to: ElementType)
        case matmul
        case gemm(Gemm)
        case reduceMean(ReduceMean)
        case scaleShift
        /// BatchNormalization (inference) whose statistics are not all constants.
        case batchNormalization(epsilon: Float)
        case maxPool(PoolWindow)
        case averagePool(AveragePool)
    }

    /// The broadcasting arithmetic operators.
    public enum Arithmetic: String, Sendable {
        case add, sub, mul, div, pow, min, max, equal
    }

    /// Unary maps beyond the activations.
    public enum UnaryMap: Sendable, Equatable {
        case sqrt, exp, tanh, erf, ceil, floor
        case swish(alpha: Float)
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
        guard node.outputs.count == 1 || node.op is Dropout, !node.inputs.isEmpty else { return nil }
        let computation: Computation
        switch node.op {
        case let op as FusedConv: computation = .conv(op)
        case let op as Conv: computation = .conv(FusedConv(conv: op))  // a conv with no epilogue
        case let op as ExpandDepthwise: computation = .expandDepthwise(op)
        case let op as SqueezeExcite: computation = .squeezeExcite(op)
        case let op as SqueezeExciteGate: computation = .squeezeExciteGate(op)
        case is GlobalAveragePool: computation = .globalAveragePool
        case let op as Dense: computation = .dense(op)
        case let op as Softmax: computation = .softmax(axes: op.axes)
        case let op as Reorder: computation = .reorder(op)
        case is Flatten, is Reshape, is Identity, is Squeeze, is Unsqueeze: computation = .copy
        case is Dropout: computation = .dropout
        default:
            guard let known = Self.generic(node.op) else { return nil }
            computation = known
        }
        self.init(computation: computation, inputs: node.inputs.map(graph.type(of:)),
                  constant: node.inputs.map { graph.constants[$0] != nil }, output: graph.type(of: node.outputs[0]), isa: isa)
    }

    /// The computation of an operator the generic kernels run, nil for any other.
    static func generic(_ op: any Operator) -> Computation? {
        if let activation = Activation.computed(by: op) { return .activation(activation) }
        switch op {
        case is Add: return .arithmetic(.add)
        case is Sub: return .arithmetic(.sub)
        case is Mul: return .arithmetic(.mul)
        case is Div: return .arithmetic(.div)
        case is Pow: return .arithmetic(.pow)
        case is Min: return .arithmetic(.min)
        case is Max: return .arithmetic(.max)
        case is Equal: return .arithmetic(.equal)
        case is Sqrt: return .map(.sqrt)
        case is Exp: return .map(.exp)
        case is Tanh: return .map(.tanh)
        case is Erf: return .map(.erf)
        case is Ceil: return .map(.ceil)
        case is Floor: return .map(.floor)
        case let op as Swish: return .map(.swish(alpha: op.alpha))
        case let op as Transpose: return .transpose(perm: op.perm)
        case let op as Slice: return .slice(op)
        case let op as Pad: return .pad(op)
        case let op as Concat: return .concat(axis: op.axis)
        case is Expand: return .expand
        case let op as Gather: return .gather(axis: op.axis)
        case is Where: return .select
        case let op as Cast: return .cast(to: op.to)
        case is MatMul: return .matmul
        case let op as Gemm: return .gemm(op)
        case let op as ReduceMean: return .reduceMean(op)
        case is ScaleShift: return .scaleShift
        case let op as BatchNormalization: return .batchNormalization(epsilon: op.epsilon)
        case let op as MaxPool: return .maxPool(op.window)
        case let op as AveragePool: return .averagePool(op)
        default: return nil
        }
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
