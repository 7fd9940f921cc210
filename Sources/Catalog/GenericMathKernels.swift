import IR

/// The arithmetic generic kernels (`kiln_kernels_generic_math.h`, `kiln_kernels_generic_pool.h`); see
/// `GenericKernels.swift`.
extension KernelCatalog {
    public static let binary: KernelEntry = KernelEntry(
        name: "binary",
        summary: "Add, Sub, Mul, Div, Min, Max, Equal of any numeric type with numpy broadcasting (ints wrap)",
        parameters: [.init("type", .choice("kiln_dtype")), .init("op", .choice("kiln_binop")), .init("shape", .dims),
                     .init("a", .readsAny), .init("as", .strides), .init("b", .readsAny), .init("bs", .strides),
                     .init("out", .writesAny)],
        split: [],
        match: { entry, q in
            guard case .arithmetic(let op) = q.computation, op != .pow else { return [] }
            return elementwise(entry, q, slots: Array(q.inputs.indices), reason: "\(op.rawValue) (\(q.inputs[0].elementType.rawValue))")
        })

    public static let power: KernelEntry = KernelEntry(
        name: "pow",
        summary: "Pow with numpy broadcasting; the exponent may have another type than the base",
        parameters: [.init("type", .choice("kiln_dtype")), .init("shape", .dims), .init("base", .readsAny), .init("bs", .strides),
                     .init("exponent_type", .choice("kiln_dtype")), .init("exponent", .readsAny), .init("es", .strides),
                     .init("out", .writesAny)],
        split: [],
        match: { entry, q in
            guard case .arithmetic(.pow) = q.computation else { return [] }
            return elementwise(entry, q, slots: [0, 1], reason: "pow")
        })

    public static let unary: KernelEntry = KernelEntry(
        name: "unary",
        summary: "unary maps (Sqrt, Exp, Tanh, Erf, Ceil, Floor, Swish) and activations of float64 and integer tensors",
        parameters: [.init("type", .choice("kiln_dtype")), .init("op", .choice("kiln_unop")), .init("a", .real), .init("b", .real)]
            + sizes("count") + [.init("in", .readsAny), .init("out", .writesAny)],
        split: [],
        match: { entry, q in
            switch q.computation {
            case .map(let map):
                return anyLayout(entry, q, slots: [0], reason: "\(map) elementwise: runs in its input's layout", cost: q.elements)
            case .activation(let act) where q.output.elementType != .float32:
                return anyLayout(entry, q, slots: [0], reason: "\(act) of \(q.output.elementType.rawValue): runs in its input's layout",
                                 cost: q.elements)
            default: return []
            }
        })

    public static let cast: KernelEntry = KernelEntry(
        name: "cast",
        summary: "Cast between any two element types",
        parameters: [.init("from", .choice("kiln_dtype")), .init("to", .choice("kiln_dtype"))] + sizes("count")
            + [.init("in", .readsAny), .init("out", .writesAny)],
        split: [],
        match: { entry, q in
            guard case .cast(let to) = q.computation else { return [] }
            return anyLayout(entry, q, slots: [0], reason: "cast \(q.inputs[0].elementType.rawValue) → \(to.rawValue): runs in its input's layout",
                             cost: q.elements)
        })

    public static let matmul: KernelEntry = KernelEntry(
        name: "f32_matmul",
        summary: "MatMul with numpy batch broadcasting, scalar loops",
        parameters: [.init("batch", .dims)] + sizes("m", "k", "n") + [.init("a", .reads), .init("as", .strides)] + sizes("lda")
            + [.init("b", .reads), .init("bs", .strides)] + sizes("ldb") + [.init("out", .writes)],
        split: [],
        match: { entry, q in
            guard case .matmul = q.computation, let plan = try? MatMul.plan(q.inputs[0], q.inputs[1]), plan.batch.count <= StridedLoop.maxRank
            else { return [] }
            let macs = Double(plan.batch.reduce(1, *) * plan.m * plan.k * plan.n)
            return [KernelCandidate(entry: entry, inputs: [.nchw, .nchw], output: .nchw,
                                    reason: "MatMul \(plan.m)x\(plan.k) · \(plan.k)x\(plan.n)" + (plan.batch.isEmpty ? "" : ", batch \(plan.batch)") + ": scalar loops",
                                    cost: macs)]
        })

    public static let gemmStrided: KernelEntry = KernelEntry(
        name: "f32_gemm_strided",
        summary: "Gemm (alpha, beta, transposes, broadcast C) through strides, scalar loops",
        parameters: sizes("m", "k", "n") + [.init("alpha", .real), .init("a", .reads)] + sizes("a_m", "a_k") + [.init("b", .reads)]
            + sizes("b_k", "b_n") + [.init("beta", .real), .init("c", .reads)] + sizes("c_m", "c_n") + [.init("out", .writes)],
        split: [],
        match: { entry, q in
            guard case .gemm(let op) = q.computation, let (m, k, n) = try? op.dimensions(q.inputs[0], q.inputs[1]) else { return [] }
            return [KernelCandidate(entry: entry, inputs: q.inputs.map { _ in .nchw }, output: .nchw,
                                    reason: "Gemm \(m)x\(k) · \(k)x\(n): scalar loops", cost: Double(m * k * n))]
        })

    public static let softmaxAxis: KernelEntry = KernelEntry(
        name: "f32_softmax_axis",
        summary: "softmax over the middle axis of [outer][n][inner]",
        parameters: sizes("outer", "n", "inner") + [.init("in", .reads), .init("out", .writes)], split: [],
        match: { entry, q in
            guard case .softmax(let axes) = q.computation else { return [] }
            return rowMajor(entry, q, slots: [0], reason: "softmax over axes \(axes): strided rows", cost: 6 * q.elements)
        })

    public static let reduceMean: KernelEntry = KernelEntry(
        name: "f32_reduce_mean",
        summary: "ReduceMean over any axes: sums into the output through 0 strides, then scales",
        parameters: [.init("shape", .dims), .init("in", .reads), .init("os", .strides)] + sizes("out_count") + [.init("out", .writes)],
        split: [],
        match: { entry, q in
            guard case .reduceMean(let op) = q.computation, q.inputs[0].rank <= StridedLoop.maxRank else { return [] }
            return rowMajor(entry, q, slots: [0], reason: "ReduceMean over axes \(op.axes): scalar loop", cost: Double(q.inputs[0].elementCount))
        })

    /// Candidates of a per-channel kernel over [outer][c][inner]: NCHW, and NHWC for 4-D tensors
    /// (inner = 1); the per-channel parameters are 1-D, so any layout.
    static func perChannel(_ entry: KernelEntry, _ q: KernelQuery, reason: String) -> [KernelCandidate] {
        anyLayout(entry, q, slots: [0], reason: reason, cost: q.elements)
    }

    public static let channelAffine: KernelEntry = KernelEntry(
        name: "f32_channel_affine",
        summary: "out = in · scale[c] + shift[c] over [outer][c][inner] (ScaleShift)",
        parameters: sizes("outer", "c", "inner") + [.init("in", .reads), .init("scale", .reads), .init("shift", .reads), .init("out", .writes)],
        split: [],
        match: { entry, q in
            guard case .scaleShift = q.computation else { return [] }
            return perChannel(entry, q, reason: "per-channel scale and shift, \(q.output.shape[1]) channels")
        })

    public static let batchNorm: KernelEntry = KernelEntry(
        name: "f32_batchnorm",
        summary: "BatchNormalization (inference) with statistics known only at run time",
        parameters: sizes("outer", "c", "inner") + [.init("in", .reads), .init("scale", .reads), .init("bias", .reads),
                                                   .init("mean", .reads), .init("var", .reads), .init("epsilon", .real), .init("out", .writes)],
        split: [],
        match: { entry, q in
            guard case .batchNormalization = q.computation else { return [] }
            return perChannel(entry, q, reason: "batch normalization with run-time statistics, \(q.output.shape[1]) channels")
        })

    public static let maxPool: KernelEntry = KernelEntry(
        name: "f32_maxpool_nchw",
        summary: "2-D MaxPool over NCHW planes, any window, stride, dilation and pads",
        parameters: sizes("planes", "h", "w", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl") + [.init("in", .reads), .init("out", .writes)],
        split: [],
        match: { entry, q in
            guard case .maxPool(let window) = q.computation else { return [] }
            return rowMajor(entry, q, slots: [0], reason: "max pool \(window.kernel[0])x\(window.kernel[1]): scalar loops over NCHW planes",
                            cost: q.elements * Double(window.kernel.reduce(1, *)))
        })

    public static let averagePool: KernelEntry = KernelEntry(
        name: "f32_avgpool_nchw",
        summary: "2-D AveragePool over NCHW planes, with or without the pads counted",
        parameters: sizes("planes", "h", "w", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl", "pb", "pr", "include_pad")
            + [.init("in", .reads), .init("out", .writes)],
        split: [],
        match: { entry, q in
            guard case .averagePool(let op) = q.computation else { return [] }
            return rowMajor(entry, q, slots: [0], reason: "average pool \(op.window.kernel[0])x\(op.window.kernel[1]): scalar loops over NCHW planes",
                            cost: q.elements * Double(op.window.kernel.reduce(1, *)))
        })
}
