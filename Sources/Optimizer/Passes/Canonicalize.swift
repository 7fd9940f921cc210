import IR

/// `canonicalize`: rewrites the many ways exporters spell the same computation into one form, so
/// that later passes match a single pattern each. Every rewrite keeps what the graph computes.
///
///     before                                              after
///     %i = Identity(%x), %d = Dropout(%x)                 readers use %x
///     an op whose inputs are all constants                a constant (bounded, see FoldConstants)
///     Clip(%x) {min=0, max=6}                             Relu6(%x)
///     Clip(%x) {min=0} (max absent or +inf)               Relu(%x)
///     Mul(%x, Sigmoid(%x)), Mul(Sigmoid(%x), %x)          SiLU(%x)
///     Swish(%x) {alpha=1}                                 SiLU(%x)
///     Mul(%x, HardSigmoid(%x) {alpha=1/6, beta=0.5})      HardSwish(%x)
///     ReduceMean(%x) {axes=[2, 3], keepdims=1}, 4-D %x    GlobalAveragePool(%x)
///     Gemm(%a, const B, const C) {alpha=1, beta=1, transA=0}   Dense(%a, W [J x K], bias [J])
///     MatMul(%x [N x K], const W)                         Dense(%x, Wᵀ, 0)
///     Add(Dense(%x, W, b), const c), c the same per row   Dense(%x, W, b + c)
///     Dense(Flatten/Reshape/Squeeze(%x) to [N, K])        Dense(%x)
///     Add(%x, 0), Sub(%x, 0), Mul(%x, 1), Div(%x, 1)      readers use %x
///     Reshape/Flatten/Squeeze/Unsqueeze chains            one Reshape; none if the type is kept
///     Transpose(elementwise(%x, const c))                 elementwise(Transpose(%x), permuted c)
///     Transpose {perm=identity}; Transpose∘Transpose      removed; removed or one Transpose
///
/// For example:
///
///     %s: float32[1x8x4x4] = Sigmoid(%x) loc("sig")
///     %y: float32[1x8x4x4] = Mul(%x, %s) loc("mul")
///   becomes
///     %y: float32[1x8x4x4] = SiLU(%x) loc("mul", "sig")
///
/// What does not apply: a rewrite never swallows a value someone else reads — a Sigmoid (or
/// HardSigmoid, MatMul, Flatten, first Transpose) whose result has another reader or is a graph
/// output stays, and a Dropout whose mask is read stays. Squeeze-excite gates `Mul(x, Sigmoid(s))`
/// are not SiLUs (the Sigmoid reads another value) and stay for `fuse-squeeze-excite`. A Transpose
/// only moves towards the inputs, and only where that adds no Transpose. Each pattern's doc comment
/// lists its own conditions.
public struct Canonicalize: Pass {
    public let name = "canonicalize"
    public init() {}

    /// The patterns, cheapest clean-ups first; the pass applies them to a fixed point.
    static let patterns: [any RewritePattern] = [
        DropIdentity(),
        DropDropout(),
        FoldConstants(),
        ClipToRelu(),
        SwishToSiLU(),
        MulSigmoidToSiLU(),
        MulHardSigmoidToHardSwish(),
        ReduceMeanToGlobalAveragePool(),
        AbsorbPadIntoConv(),
        GemmToDense(),
        MatMulToDense(),
        AbsorbBiasIntoDense(),
        AbsorbFlattenIntoDense(),
        DropNeutralArithmetic(),
        DropNoOpReshape(),
        MergeReshapes(),
        DropIdentityTranspose(),
        MergeTransposes(),
        PushTransposeAboveElementwise(),
    ]

    public func run(_ graph: inout Graph) throws -> Bool {
        try PatternPass(name: name, patterns: Self.patterns).run(&graph)
    }
}
