import IR

/// The default `LayoutCostModel`: a few lines of arithmetic about the kernel library the C backend
/// uses, meant to be replaced by measured timings later.
///
/// **The kernels it knows** (`Kernels`), and the layouts they work in:
/// - `pointwiseGEMM` — 1×1 convs (group 1, no padding or dilation) as register-blocked GEMMs over
///   NHWC rows, weights packed in panels of `vectorWidth` output channels (`OHWI-panel16`).
/// - `depthwise` — depthwise convs (group = C = M) in NHWC, vectorized over channels (`HWC-depthwise`).
/// - `directStem` — a direct conv for ≤ 4 input channels that reads the NCHW image and writes NHWC,
///   vectorized over output channels (`HWIO-panel16`): the stem, with no reorder of the image.
/// - `blocked` — direct convs over NCHW8c/NCHW16c channel blocks (`OIHW16i16o`, `Goihw16g`); the
///   library has none yet, so it is off by default.
/// - the NCHW fallback — a plain loop that runs any conv (`OIHW`); always available.
///
/// **The cost** of a kernel, in units of one scalar multiply-accumulate: MACs ÷ (lanes × efficiency).
/// Lanes are the vector width times the fraction of lanes the vectorized dimension fills: 24 output
/// channels on 16-wide vectors fill 24 of 32 lanes. Efficiencies: GEMM 0.9 (register-blocked, FMA
/// bound), blocked direct conv 0.8, stem 0.6 (input values are broadcast one by one), depthwise 0.5
/// and reductions 0.5 (one load per FMA: bandwidth bound); the fallback does one MAC per unit. A
/// reorder moves each element once at about one unit per element.
///
/// For global pooling and squeeze-excite the layout barely changes the kernel (a reduction over
/// H·W, vectorized over channels in NHWC or over the contiguous H·W rows in NCHW), so the reorder
/// costs decide and they run in their producer's layout. Dense reads a row-major [N, K] input.
public struct HeuristicLayoutCostModel: LayoutCostModel {
    public struct Kernels: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let pointwiseGEMM = Kernels(rawValue: 1)
        public static let depthwise = Kernels(rawValue: 2)
        public static let directStem = Kernels(rawValue: 4)
        public static let blocked = Kernels(rawValue: 8)
        /// What the C backend's kernel library provides.
        public static let library: Kernels = [.pointwiseGEMM, .depthwise, .directStem]
    }

    /// Floats per vector register: 16 for AVX-512, 8 for AVX2.
    public var vectorWidth: Int
    public var kernels: Kernels

    public init(vectorWidth: Int = 16, kernels: Kernels = .library) {
        self.vectorWidth = max(vectorWidth, 1)
        self.kernels = kernels
    }

    /// The fraction of vector lanes `n` values fill when split into vectors of `width`.
    static func laneUse(_ n: Int, width: Int) -> Double {
        guard n > 0 else { return 1 }
        return Double(n) / Double((n + width - 1) / width * width)
    }

    private func lanes(_ n: Int, efficiency: Double, width: Int? = nil) -> Double {
        let w = width ?? vectorWidth
        return Double(w) * Self.laneUse(n, width: w) * efficiency
    }

    public func reorderCost(_ type: TensorType, from: Layout, to: Layout) -> Double {
        Layout.sameBytes(from, to, for: type) ? 0 : Double(type.elementCount)
    }

    public func candidates(for query: LayoutQuery) -> [LayoutChoice] {
        switch query.kind {
        case .conv(let conv): convCandidates(conv, query)
        case .globalAveragePool: reductionCandidates(query, what: "global average pool", passes: 1, packing: "none")
        case .squeezeExcite:
            // Reads X twice (mean, then scale); the two small FCs are the same in every layout.
            reductionCandidates(query, what: "squeeze-excite", passes: 2, packing: "OI")
        case .dense: denseCandidates(query)
        }
    }

    private func convCandidates(_ conv: Conv, _ q: LayoutQuery) -> [LayoutChoice] {
        guard q.input.rank == 4, let w = q.weights, w.rank == 4, q.output.rank == 4 else { return [] }
        let c = q.input.shape[1], m = q.output.shape[1], kh = w.shape[2], kw = w.shape[3]
        let macs = Double(q.output.elementCount) * Double(w.shape[1] * kh * kw)
        let isPlain = conv.dilations == [1, 1]
        let pointwise = kh == 1 && kw == 1 && conv.group == 1 && conv.pads.allSatisfy { $0 == 0 } && isPlain
        let depthwise = conv.group == c && m == c && c > 1
        let v = vectorWidth
        let name = Self.describe(conv, c: c, m: m, kh: kh, kw: kw)
        var result: [LayoutChoice] = []

        if kernels.contains(.directStem), conv.group == 1, c <= 4, isPlain {
            result.append(LayoutChoice(input: .nchw, output: .nhwc, weightPacking: "HWIO-panel\(v)",
                                       reason: "\(c) input channel\(c == 1 ? "" : "s"): direct conv reads NCHW image, writes NHWC",
                                       cost: macs / lanes(m, efficiency: 0.6)))
        }
        if kernels.contains(.pointwiseGEMM), pointwise {
            result.append(LayoutChoice(input: .nhwc, output: .nhwc, weightPacking: "OHWI-panel\(v)",
                                       reason: "\(name), \(c)→\(m) channels: GEMM over NHWC rows",
                                       cost: macs / lanes(m, efficiency: 0.9)))
        }
        if kernels.contains(.depthwise), depthwise, isPlain {
            result.append(LayoutChoice(input: .nhwc, output: .nhwc, weightPacking: "HWC-depthwise",
                                       reason: "\(name), \(c) channels: vectorized over NHWC channels",
                                       cost: macs / lanes(c, efficiency: 0.5)))
        }
        if kernels.contains(.blocked) {
            // The block matching the vector width first, so it wins ties.
            for layout in (v >= 16 ? [Layout.nchw16c, .nchw8c] : [.nchw8c, .nchw16c]) {
                guard let b = layout.channelBlock else { continue }
                let fits = depthwise ? c % b == 0 : conv.group == 1 && c % b == 0 && m % b == 0
                guard fits else { continue }
                let packing = depthwise ? "Goihw\(b)g" : "OIHW\(b)i\(b)o"
                result.append(LayoutChoice(input: layout, output: layout, weightPacking: packing,
                                           reason: "\(name), \(c)→\(m) channels: direct conv over \(layout.rawValue) blocks",
                                           cost: macs / (Double(min(b, v)) * 0.8)))
            }
        }
        result.append(LayoutChoice(input: .nchw, output: .nchw, weightPacking: "OIHW",
                                   reason: fallbackReason(conv, name: name, c: c, m: m, pointwise: pointwise, depthwise: depthwise),
                                   cost: macs))
        return result
    }

    /// Why the fallback: what keeps the fast kernels from running this conv.
    private func fallbackReason(_ conv: Conv, name: String, c: Int, m: Int, pointwise: Bool, depthwise: Bool) -> String {
        if depthwise && kernels.contains(.depthwise) && conv.dilations != [1, 1] {
            return "\(name) with dilation \(conv.dilations): NCHW fallback"
        }
        if pointwise && kernels.contains(.pointwiseGEMM) || depthwise && kernels.contains(.depthwise) {
            let n = pointwise ? m : c, used = (n + vectorWidth - 1) / vectorWidth * vectorWidth
            return "\(name), \(c)→\(m) channels: \(pointwise ? "GEMM" : "NHWC kernel") would fill \(n) of \(used) lanes, NCHW fallback"
        }
        if conv.group > 1 {
            return conv.group == c ? "\(name) with channel multiplier \(m / max(c, 1)): NCHW fallback"
                                   : "\(name) (group \(conv.group)): NCHW fallback"
        }
        if kernels.contains(.blocked), let odd = [c, m].first(where: { $0 % 8 != 0 }) {
            return "channels \(odd) not a multiple of 8: NCHW fallback"
        }
        return "\(name), \(c)→\(m) channels: no vectorized kernel, NCHW fallback"
    }

    /// `pointwise 1x1`, `depthwise 3x3 stride 2`, `grouped 3x3 conv`, `5x5 conv`, `1x1 conv`.
    static func describe(_ conv: Conv, c: Int, m: Int, kh: Int, kw: Int) -> String {
        let size = "\(kh)x\(kw)"
        var text: String
        if conv.group == c && c > 1 { text = "depthwise \(size)" }
        else if conv.group > 1 { text = "grouped \(size) conv" }
        else if kh == 1 && kw == 1 && conv.pads.allSatisfy({ $0 == 0 }) && conv.dilations == [1, 1] { text = "pointwise 1x1" }
        else { text = "\(size) conv" }
        if conv.strides != [1, 1] {
            text += conv.strides[0] == conv.strides[1] ? " stride \(conv.strides[0])" : " stride \(conv.strides[0])x\(conv.strides[1])"
        }
        return text
    }

    /// Global pooling and squeeze-excite: `passes` sweeps over X, vectorized over channels (NHWC,
    /// NCHWc) or over the contiguous H·W rows (NCHW). The output keeps the input's layout.
    private func reductionCandidates(_ q: LayoutQuery, what: String, passes: Int, packing: String) -> [LayoutChoice] {
        guard q.input.rank == 4 else { return [] }
        let c = q.input.shape[1], hw = q.input.shape[2] * q.input.shape[3]
        let work = Double(passes * q.input.elementCount)
        let spatial = "\(q.input.shape[2])x\(q.input.shape[3])"
        var result = [
            LayoutChoice(input: .nhwc, output: .nhwc, weightPacking: packing,
                         reason: "\(what) over \(spatial), \(c) channels: vectorized over NHWC channels",
                         cost: work / lanes(c, efficiency: 0.5)),
            LayoutChoice(input: .nchw, output: .nchw, weightPacking: packing,
                         reason: "\(what) over \(spatial), \(c) channels: vectorized over contiguous NCHW rows",
                         cost: work / lanes(hw, efficiency: 0.5)),
        ]
        if kernels.contains(.blocked) {
            for layout in [Layout.nchw16c, .nchw8c] {
                guard let b = layout.channelBlock else { continue }
                result.append(LayoutChoice(input: layout, output: layout, weightPacking: packing,
                                           reason: "\(what) over \(spatial), \(c) channels: vectorized over \(layout.rawValue) blocks",
                                           cost: work / lanes(c, efficiency: 0.5, width: min(b, vectorWidth))))
            }
        }
        return result
    }

    /// Dense: a GEMM over weight panels of `vectorWidth` outputs, reading a row-major [N, K] input
    /// (a 4-D input flattens in NCHW order; with H·W = 1 every layout has those bytes).
    private func denseCandidates(_ q: LayoutQuery) -> [LayoutChoice] {
        guard let w = q.weights, w.rank == 2 else { return [] }
        let j = w.shape[0], k = w.shape[1]
        let flattens = q.input.rank == 4 && q.input.shape[2] * q.input.shape[3] > 1
        let reason = "fully connected \(k)→\(j): GEMM over packed weight panels" + (flattens ? ", input flattened in NCHW order" : "")
        return [LayoutChoice(input: .nchw, output: .nchw, weightPacking: "OI-panel\(vectorWidth)", reason: reason,
                             cost: Double(q.output.elementCount * k) / lanes(j, efficiency: 0.9))]
    }
}
