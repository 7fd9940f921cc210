import IR

extension KernelCatalog {
    /// Dense on the GEMM: one row per image over a row-major [N, K] input (a 4-D input flattens in
    /// NCHW order; with H·W = 1 NHWC has the same bytes).
    static func denseCandidates(_ entry: KernelEntry, _ q: KernelQuery) -> [KernelCandidate] {
        guard q.inputs.count == 3, q.constant[1], q.constant[2], q.inputs[1].rank == 2, q.output.elementType == .float32
        else { return [] }
        let (j, k) = (q.inputs[1].shape[0], q.inputs[1].shape[1])
        let flattens = q.inputs[0].rank == 4 && q.inputs[0].shape[2] * q.inputs[0].shape[3] > 1
        return [KernelCandidate(entry: entry, inputs: [.nchw, nil, nil], output: .nchw,
                                reason: "fully connected \(k)→\(j): GEMM over packed weight panels" + (flattens ? ", input flattened in NCHW order" : ""),
                                cost: Double(q.output.elementCount * k) / q.lanes(j, efficiency: 0.9))]
    }

    /// Candidates in NCHW and, for 4-D tensors, NHWC, at one cost: the reorders decide.
    static func anyLayout(_ entry: KernelEntry, _ q: KernelQuery, slots: [Int], reason: String, cost: Double) -> [KernelCandidate] {
        let layouts: [Layout] = q.output.rank == 4 ? [.nchw, .nhwc] : [.nchw]
        return layouts.map { layout in
            var inputs = [Layout?](repeating: nil, count: q.inputs.count)
            for slot in slots { inputs[slot] = layout }
            return KernelCandidate(entry: entry, inputs: inputs, output: layout, reason: reason, cost: cost)
        }
    }

    public static let activation: KernelEntry = KernelEntry(
        name: "f32_act",
        summary: "out[i] = act(in[i]): standalone activations, and copies (act none) for reshape-like operators",
        parameters: sizes("n") + [.init("in", .reads), .init("out", .writes), .init("act", .activation)], split: ["n"],
        match: { entry, q in
            guard q.output.elementType == .float32, q.inputs[0].elementType == .float32 else { return [] }
            let vector = q.elements / Double(q.isa.vectorWidth)
            switch q.computation {
            case .activation(let act):
                return anyLayout(entry, q, slots: [0], reason: "\(act) elementwise: runs in its input's layout", cost: vector)
            case .copy:
                // A reshape keeps NCHW's element order, so a 4-D input with more than one pixel must be NCHW.
                let x = q.inputs[0]
                let anyOrder = x.rank != 4 || x.shape[2] * x.shape[3] == 1
                var inputs = [Layout?](repeating: nil, count: q.inputs.count)
                inputs[0] = anyOrder ? nil : .nchw
                return [KernelCandidate(entry: entry, inputs: inputs, output: .nchw,
                                        reason: "reshape: copies the elements in NCHW order", cost: vector)]
            default: return []
            }
        })

    public static let add: KernelEntry = KernelEntry(
        name: "f32_add_act",
        summary: "out[i] = act(a[i] + b[i]): residual adds the conv could not absorb",
        parameters: sizes("count") + [.init("a", .reads), .init("b", .reads), .init("out", .writes), .init("act", .activation)],
        split: ["count"],
        match: { entry, q in
            guard case .arithmetic(.add) = q.computation, q.inputs.count == 2, q.inputs[0] == q.inputs[1], q.inputs[0] == q.output,
                  q.output.elementType == .float32, !q.constant[0], !q.constant[1] else { return [] }
            return anyLayout(entry, q, slots: [0, 1], reason: "elementwise add of two tensors: runs in its inputs' layout",
                             cost: q.elements / Double(q.isa.vectorWidth))
        })

    public static let globalAveragePool: KernelEntry = KernelEntry(
        name: "f32_gavgpool_nhwc",
        summary: "per-channel means over H·W of NHWC images (NCHW: every channel as an image of one channel)",
        parameters: sizes("n", "hw", "c") + [.init("in", .reads), .init("out", .writes)], split: ["c"],
        match: { entry, q in
            guard case .globalAveragePool = q.computation, q.inputs[0].rank == 4, q.output.elementType == .float32 else { return [] }
            let x = q.inputs[0].shape, work = Double(q.inputs[0].elementCount)
            let spatial = "\(x[2])x\(x[3])"
            return [
                KernelCandidate(entry: entry, inputs: [.nchw], output: .nchw,
                                reason: "global average pool over \(spatial), \(x[1]) channels: vectorized over contiguous NCHW rows",
                                cost: work / q.lanes(x[2] * x[3], efficiency: 0.5)),
                KernelCandidate(entry: entry, inputs: [.nhwc], output: .nhwc,
                                reason: "global average pool over \(spatial), \(x[1]) channels: vectorized over NHWC channels",
                                cost: work / q.lanes(x[1], efficiency: 0.5)),
            ]
        })

    public static let squeezeExciteGate: KernelEntry = KernelEntry(
        name: "f32_se_gate_nhwc",
        summary: "the squeeze-excite gate of NHWC images: pool, reduce FC + act, expand FC + gate",
        parameters: sizes("n", "hw", "c", "cr") + [.init("in", .reads), .init("packed1", .reads), .init("act1", .activation),
                                                   .init("packed2", .reads), .init("gate_act", .activation),
                                                   .init("scratch", .writes), .init("gate", .writes)],
        weightPacking: "OI-panel16", split: ["c"],
        match: { entry, q in
            let x = q.inputs[0].shape
            let work = Double(q.inputs[0].elementCount) / q.lanes(x.count == 4 ? x[1] : 1, efficiency: 0.5)
            switch q.computation {
            case .squeezeExcite:
                return [KernelCandidate(entry: entry, inputs: [.nhwc, nil, nil, nil, nil], output: .nhwc,
                                        reason: "squeeze-excite over \(x[2])x\(x[3]), \(x[1]) channels: gate, then channel scale, vectorized over NHWC channels",
                                        cost: 2 * work)]
            case .squeezeExciteGate:
                return [KernelCandidate(entry: entry, inputs: [.nhwc, nil, nil, nil, nil], output: .nhwc,
                                        reason: "squeeze-excite gate over \(x[2])x\(x[3]), \(x[1]) channels, vectorized over NHWC channels; the next conv applies it",
                                        cost: work)]
            default: return []
            }
        })

    public static let channelScale: KernelEntry = KernelEntry(
        name: "f32_channel_scale_nhwc",
        summary: "out = in · gate per channel (the excite of a squeeze-excite no conv absorbed)",
        parameters: sizes("n", "hw", "c") + [.init("in", .reads), .init("gate", .reads), .init("out", .writes)], split: ["hw"])

    public static let softmax: KernelEntry = KernelEntry(
        name: "f32_softmax",
        summary: "softmax over the last axes of row-major rows",
        parameters: sizes("rows", "n") + [.init("in", .reads), .init("out", .writes)], split: ["rows"],
        match: { entry, q in
            guard case .softmax(let axes) = q.computation, axes.last == q.output.rank - 1, q.output.elementType == .float32
            else { return [] }
            return [KernelCandidate(entry: entry, inputs: [.nchw], output: .nchw,
                                    reason: "softmax over the last axis: contiguous rows", cost: 4 * q.elements)]
        })

    public static let nchwToNHWC = reorder("f32_nchw_to_nhwc", from: .nchw, to: .nhwc)
    public static let nhwcToNCHW = reorder("f32_nhwc_to_nchw", from: .nhwc, to: .nchw)

    private static func reorder(_ name: String, from: Layout, to: Layout) -> KernelEntry {
        KernelEntry(
            name: name, summary: "\(from.rawValue) → \(to.rawValue) transpose of [n][c][hw] planes",
            parameters: sizes("n", "c", "hw") + [.init("in", .reads), .init("out", .writes)], split: ["hw"],
            match: { entry, q in
                guard case .reorder(let op) = q.computation, op.from == from, op.to == to, q.output.rank == 4,
                      q.output.elementType == .float32 else { return [] }
                return [KernelCandidate(entry: entry, inputs: [from], output: to,
                                        reason: "\(from.rawValue) → \(to.rawValue) reorder", cost: q.elements)]
            })
    }
}
