import IR

/// The generic kernels (`kiln_kernels_generic.h`): plain loops over row-major tensors of any element
/// type, addressed through shapes and strides of up to six dimensions, for every operator the
/// reference interpreter runs that no tuned kernel takes. Their candidates read and write NCHW
/// (row-major), so select-kernel puts reorders around them in NHWC networks; elementwise ones run in
/// whatever layout their operands share. Costs are scalar loops: one unit per element touched.
extension KernelCatalog {
    /// Every generic entry, in catalog order.
    static let generic: [KernelEntry] = [
        copyStrided, pad, gather, select, binary, power, unary, cast, matmul, gemmStrided, softmaxAxis,
        reduceMean, channelAffine, batchNorm, maxPool, averagePool,
    ]

    /// One candidate reading the listed slots and writing in NCHW (row-major), when every tensor
    /// involved has at most `StridedLoop.maxRank` dimensions.
    static func rowMajor(_ entry: KernelEntry, _ q: KernelQuery, slots: [Int], reason: String, cost: Double) -> [KernelCandidate] {
        let ranks = slots.map { q.inputs[$0].rank } + [q.output.rank]
        guard ranks.allSatisfy({ $0 <= StridedLoop.maxRank }) else { return [] }
        var inputs = [Layout?](repeating: nil, count: q.inputs.count)
        for slot in slots { inputs[slot] = .nchw }
        return [KernelCandidate(entry: entry, inputs: inputs, output: .nchw, reason: reason, cost: cost)]
    }

    /// Whether every input has the output's shape: an elementwise kernel then walks them all as one
    /// contiguous run, in any layout they share.
    static func sameShapes(_ q: KernelQuery) -> Bool { q.inputs.allSatisfy { $0.shape == q.output.shape } }

    /// Candidates of an elementwise kernel over `slots`: in any shared layout when no operand is
    /// broadcast, else row-major (broadcast strides are logical).
    static func elementwise(_ entry: KernelEntry, _ q: KernelQuery, slots: [Int], reason: String) -> [KernelCandidate] {
        let cost = q.elements * Double(slots.count)
        if sameShapes(q) { return anyLayout(entry, q, slots: slots, reason: reason + ": runs in its inputs' layout", cost: cost) }
        let loop = StridedLoop(shape: q.output.shape, strides: slots.map { StridedLoop.broadcast(q.inputs[$0].shape, to: q.output.shape) })
        guard loop.fitsKernels else { return [] }
        return [KernelCandidate(entry: entry, inputs: slots.map { _ in .nchw }, output: .nchw,
                                reason: reason + " with numpy broadcasting: generic strided loop", cost: cost)]
    }

    public static let copyStrided: KernelEntry = KernelEntry(
        name: "copy_strided",
        summary: "copies elements of any type through strides: reshapes, Transpose, Slice, Expand, Concat",
        parameters: sizes("size") + [.init("shape", .dims), .init("in", .readsAny)] + sizes("in_at")
            + [.init("is", .strides), .init("out", .writesAny)] + sizes("out_at") + [.init("os", .strides)],
        split: ["shape"],
        match: { entry, q in
            let cost = q.elements
            switch q.computation {
            case .copy:
                let x = q.inputs[0], anyOrder = x.rank != 4 || x.shape[2] * x.shape[3] == 1
                return [KernelCandidate(entry: entry, inputs: [anyOrder ? nil : .nchw], output: .nchw,
                                        reason: "reshape: copies the elements in row-major order", cost: cost / 2)]
            case .transpose(let perm):
                // A row-major [N, H, W, C] transposed to [N, C, H, W] and stored NHWC keeps its bytes (and the
                // reverse): a plain copy, which the NHWC network then reads without a reorder.
                var plain: [KernelCandidate] = []
                if perm == [0, 3, 1, 2] {
                    plain.append(KernelCandidate(entry: entry, inputs: [.nchw], output: .nhwc,
                                                 reason: "Transpose NHWC→NCHW written in NHWC: the input's bytes, a plain copy", cost: cost / 4))
                } else if perm == [0, 2, 3, 1] {
                    plain.append(KernelCandidate(entry: entry, inputs: [.nhwc], output: .nchw,
                                                 reason: "Transpose NCHW→NHWC of an NHWC tensor: its bytes, a plain copy", cost: cost / 4))
                }
                return plain + rowMajor(entry, q, slots: [0], reason: "Transpose \(perm): strided copy", cost: cost)
            case .dropout:
                return anyLayout(entry, q, slots: [0], reason: "Dropout (inference): copies the data, fills the mask with ones", cost: cost)
            case .slice: return rowMajor(entry, q, slots: [0], reason: "Slice: strided copy of a window", cost: cost)
            case .expand: return rowMajor(entry, q, slots: [0], reason: "Expand: copy through broadcast strides", cost: cost)
            case .concat(let axis):
                return rowMajor(entry, q, slots: Array(q.inputs.indices), reason: "Concat on axis \(axis): one strided copy per input", cost: cost)
            default: return []
            }
        })

    public static let pad: KernelEntry = KernelEntry(
        name: "pad",
        summary: "Pad (constant, reflect, edge, wrap) of any element type",
        parameters: sizes("size") + [.init("mode", .choice("kiln_pad_mode")), .init("shape", .dims), .init("in", .readsAny)]
            + sizes("in_at") + [.init("is", .strides), .init("window", .dims), .init("before", .dims),
                                 .init("value", .readsAny), .init("out", .writesAny)],
        split: [],
        match: { entry, q in
            guard case .pad(let op) = q.computation else { return [] }
            return rowMajor(entry, q, slots: [0], reason: "Pad (\(op.mode.rawValue)): generic strided loop", cost: 2 * q.elements)
        })

    public static let gather: KernelEntry = KernelEntry(
        name: "gather",
        summary: "Gather along one axis, int32 or int64 indices, any element type",
        parameters: sizes("size", "outer", "axis", "inner") + [.init("in", .readsAny), .init("index_type", .choice("kiln_dtype")),
                                                              .init("indices", .readsAny)] + sizes("count") + [.init("out", .writesAny)],
        split: [],
        match: { entry, q in
            guard case .gather(let axis) = q.computation else { return [] }
            return rowMajor(entry, q, slots: [0, 1], reason: "Gather on axis \(axis): copies the picked blocks", cost: q.elements)
        })

    public static let select: KernelEntry = KernelEntry(
        name: "where",
        summary: "Where(condition, X, Y) with numpy broadcasting, any element type",
        parameters: sizes("size") + [.init("shape", .dims), .init("cond", .readsAny), .init("cs", .strides), .init("x", .readsAny),
                                     .init("xs", .strides), .init("y", .readsAny), .init("ys", .strides), .init("out", .writesAny)],
        split: [],
        match: { entry, q in
            guard case .select = q.computation else { return [] }
            return elementwise(entry, q, slots: [0, 1, 2], reason: "Where")
        })
}
