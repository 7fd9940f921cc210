/// The kernels that threads share, as `f32_NAME_part(t, …)`: the Swift twins of the C library's
/// `kiln_NAME_part` wrappers (`kiln_kernels_parallel.h`), splitting the same dimension by the same
/// arithmetic, so that a Swift program divides each node's work exactly as the C one does. All parts
/// call the same function with the same arguments; each runs the kernel's public entry point on its own
/// range, and two-phase kernels meet at `t.sync()`. No output element's arithmetic depends on the range
/// it was computed in: the result is bit-identical for any number of parts.

/// One part of a parallel run, as the part forms see it: the program's `kiln_task` (kiln_task.h),
/// whose barrier is `kiln_sync`; tests supply their own.
public protocol KilnTask {
    /// This part, 0 ..< parts.
    var part: Int { get }
    var parts: Int { get }
    /// Waits until every part has reached this call (a barrier); returns at once with one part.
    func sync()
    /// This part's own scratch, as large as the program's, for kernels whose parts each need a buffer;
    /// nil for part 0, which uses the program's (`kiln_task.scratch`).
    var scratch: UnsafeMutablePointer<Float>? { get }
}

extension KilnTask {
    public var scratch: UnsafeMutablePointer<Float>? { nil }
}

/// Part `part` of `parts` of 0 ..< total in whole units of `grain` (the last unit may be short), empty
/// for parts beyond the number of units; units are dealt out evenly, the first parts taking one more.
/// `kiln_part_range` of kiln_kernels_parallel.h.
public func kilnPartRange(total: Int, grain: Int, part: Int, parts: Int) -> Range<Int> {
    let units: Int = (total + grain - 1) / grain
    let base: Int = units / parts, extra: Int = units % parts
    let first: Int = part * base + Swift.min(part, extra)
    let count: Int = base + (part < extra ? 1 : 0)
    return Swift.min(first * grain, total) ..< Swift.min((first + count) * grain, total)
}

/// The GEMM's work comes in 24 to 48 chunks (fewer for small shapes); below 8 row tiles it splits by
/// panels (`KILN_GEMM_CHUNKS`, `KILN_GEMM_MIN_ROW_TILES`).
public let kilnGEMMChunks = 24
public let kilnGEMMMinRowTiles = 8

/// The squeeze-excite FCs whose weights are at least this many floats each are split across the parts
/// (`KILN_SE_SPLIT_WEIGHTS`).
public let kilnSESplitWeights = 8192

/// How many units (row tiles, panel groups) make a GEMM chunk of `units`: the largest power of two
/// ≤ ⌈units / kilnGEMMChunks⌉ (`kiln_gemm_chunk_units_`).
public func kilnGEMMChunkUnits(_ units: Int) -> Int {
    let x: Int = (units + kilnGEMMChunks - 1) / kilnGEMMChunks
    return x <= 1 ? 1 : 1 << (Int.bitWidth - 1 - x.leadingZeroBitCount)
}

/// Part `part` of `parts` of the output rows of n images of oh rows each, in image b: rows oy0 ..< oy1,
/// whose input starts at row `row` with `pad` rows of the top padding (pt, stride sh) still above it;
/// nil when the part has no rows in image b (`kiln_band_`).
func kilnBand(part: Int, parts: Int, n: Int, oh: Int, sh: Int, pt: Int, b: Int) -> (oy0: Int, oy1: Int, row: Int, pad: Int)? {
    let range: Range<Int> = kilnPartRange(total: n * oh, grain: 1, part: part, parts: parts)
    guard range.upperBound > b * oh, range.lowerBound < (b + 1) * oh else { return nil }
    let oy0: Int = Swift.max(range.lowerBound - b * oh, 0), oy1: Int = Swift.min(range.upperBound - b * oh, oh)
    let start: Int = oy0 * sh
    return (oy0, oy1, start >= pt ? start - pt : 0, start >= pt ? 0 : pt - start)
}

extension KilnKernels {
    /// Rows in a GEMM row tile and panels per column step of `f32_gemm_bias_act` (the C library's
    /// `KILN_GEMM_MR`, `KILN_GEMM_NP` for the Swift tiles).
    static var gemmRowTile: Int { V.lanes >= 16 ? 12 : 6 }
    static var gemmPanelStep: Int { Swift.max(1, 2 * V.lanes / kilnPanel) }

    /// `f32_gemm_bias_act` in chunks: rows in whole row tiles, or, with fewer than kilnGEMMMinRowTiles
    /// tiles, groups of panels. The chunking depends on the shape alone, never on the number of parts,
    /// so every part count runs the same calls (whole chunks and one shorter last chunk).
    public static func f32_gemm_bias_act_part<T: KilnTask>(_ t: T, p: Int, k: Int, n: Int, a: UnsafePointer<Float>, lda: Int,
                                                           packed: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                                                           ldc: Int, r: UnsafePointer<Float>?, ldr: Int, act: KilnActivation) {
        let tiles: Int = (p + gemmRowTile - 1) / gemmRowTile, panels: Int = (n + kilnPanel - 1) / kilnPanel
        if tiles >= kilnGEMMMinRowTiles || panels <= gemmPanelStep {
            let chunk: Int = gemmRowTile * kilnGEMMChunkUnits(tiles)
            for i in kilnPartRange(total: (p + chunk - 1) / chunk, grain: 1, part: t.part, parts: t.parts) {
                f32_gemm_bias_act(p: Swift.min(chunk, p - i * chunk), k: k, n: n, a: a + i * chunk * lda, lda: lda,
                                  packed: packed, c: c + i * chunk * ldc, ldc: ldc, r: r.map { $0 + i * chunk * ldr },
                                  ldr: ldr, act: act)
            }
        } else {
            let groups: Int = (panels + gemmPanelStep - 1) / gemmPanelStep
            let chunk: Int = gemmPanelStep * kilnPanel * kilnGEMMChunkUnits(groups)
            let wchunk: Int = chunk * (k + 1)  // packed floats of a chunk's panels
            for i in kilnPartRange(total: (n + chunk - 1) / chunk, grain: 1, part: t.part, parts: t.parts) {
                f32_gemm_bias_act(p: p, k: k, n: Swift.min(chunk, n - i * chunk), a: a, lda: lda, packed: packed + i * wchunk,
                                  c: c + i * chunk, ldc: ldc, r: r.map { $0 + i * chunk }, ldr: ldr, act: act)
            }
        }
    }

    /// `f32_gemm_gated_bias_act`: per image, the gate applied to the smaller operand into scratch (the
    /// activations split by rows, the weight by panels), then the GEMM on it (split as
    /// `f32_gemm_bias_act_part`).
    public static func f32_gemm_gated_bias_act_part<T: KilnTask>(_ t: T, images: Int, hw: Int, k: Int, n: Int,
                                                                 a: UnsafePointer<Float>, lda: Int, gate: UnsafePointer<Float>,
                                                                 packed: UnsafePointer<Float>,
                                                                 scratch: UnsafeMutablePointer<Float>,
                                                                 c: UnsafeMutablePointer<Float>, ldc: Int,
                                                                 r: UnsafePointer<Float>?, ldr: Int, act: KilnActivation) {
        let wps: Int = kilnPanel * (k + 1)
        let scalesA: Bool = gateScalesActivations(hw: hw, k: k, n: n)
        let units: Int = scalesA ? hw : (n + kilnPanel - 1) / kilnPanel
        let mine: Range<Int> = kilnPartRange(total: units, grain: 1, part: t.part, parts: t.parts)
        for b in 0..<images {
            if !mine.isEmpty && scalesA {
                scaleRows(rows: mine.count, k: k, a: a + (b * hw + mine.lowerBound) * lda, lda: lda, g: gate + b * k,
                          dst: scratch + mine.lowerBound * k, ldd: k)
            } else if !mine.isEmpty {
                let cols: Int = Swift.min(mine.upperBound * kilnPanel, n) - mine.lowerBound * kilnPanel
                scalePackedRows(k: k, n: cols, src: packed + mine.lowerBound * wps, g: gate + b * k,
                                dst: scratch + mine.lowerBound * wps)
            }
            t.sync()
            if scalesA {
                f32_gemm_bias_act_part(t, p: hw, k: k, n: n, a: UnsafePointer(scratch), lda: k, packed: packed,
                                       c: c + b * hw * ldc, ldc: ldc, r: r.map { $0 + b * hw * ldr }, ldr: ldr, act: act)
            } else {
                f32_gemm_bias_act_part(t, p: hw, k: k, n: n, a: a + b * hw * lda, lda: lda, packed: UnsafePointer(scratch),
                                       c: c + b * hw * ldc, ldc: ldc, r: r.map { $0 + b * hw * ldr }, ldr: ldr, act: act)
            }
            if b + 1 < images { t.sync() }  // the next image's scaling overwrites scratch
        }
    }

    /// `f32_dwconv_bias_act` split by output rows (of all images together).
    public static func f32_dwconv_bias_act_part<T: KilnTask>(_ t: T, n: Int, h: Int, w: Int, c: Int, in input: UnsafePointer<Float>,
                                                             oh: Int, ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int,
                                                             dw: Int, pt: Int, pl: Int, packed: UnsafePointer<Float>,
                                                             out: UnsafeMutablePointer<Float>, act: KilnActivation) {
        for b in 0..<n {
            guard let band = kilnBand(part: t.part, parts: t.parts, n: n, oh: oh, sh: sh, pt: pt, b: b) else { continue }
            f32_dwconv_bias_act(n: 1, h: h - band.row, w: w, c: c, in: input + (b * h + band.row) * w * c, oh: band.oy1 - band.oy0,
                                ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: band.pad, pl: pl, packed: packed,
                                out: out + (b * oh + band.oy0) * ow * c, act: act)
        }
    }

    /// `f32_expand_dwconv_bias_act` split by output rows (of all images together), each part's bands in
    /// its own scratch (`kiln_f32_expand_dwconv_bias_act_part`).
    public static func f32_expand_dwconv_bias_act_part<T: KilnTask>(_ t: T, n: Int, h: Int, w: Int, cin: Int,
                                                                    in input: UnsafePointer<Float>, c: Int,
                                                                    packed_expand: UnsafePointer<Float>,
                                                                    act_expand: KilnActivation, oh: Int, ow: Int, kh: Int,
                                                                    kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int,
                                                                    pl: Int, packed: UnsafePointer<Float>,
                                                                    out: UnsafeMutablePointer<Float>, act: KilnActivation,
                                                                    scratch: UnsafeMutablePointer<Float>) {
        let own: UnsafeMutablePointer<Float> = t.part == 0 ? scratch : (t.scratch ?? scratch)
        for b in 0..<n {
            guard let band = kilnBand(part: t.part, parts: t.parts, n: n, oh: oh, sh: sh, pt: pt, b: b) else { continue }
            f32_expand_dwconv_band(h: h, w: w, cin: cin, in: input + b * h * w * cin, c: c, packed_expand: packed_expand,
                                   act_expand: act_expand, oh: oh, ow: ow, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw,
                                   pt: pt, pl: pl, packed: packed, out: out + b * oh * ow * c, act: act, oy0: band.oy0,
                                   oy1: band.oy1, scratch: own)
        }
    }

    /// `f32_conv_dwconv_bias_act` split by output rows (of all images together), each part's bands in
    /// its own scratch (`kiln_f32_conv_dwconv_bias_act_part`).
    public static func f32_conv_dwconv_bias_act_part<T: KilnTask>(_ t: T, n: Int, cin: Int, h: Int, w: Int,
                                                                  in input: UnsafePointer<Float>, isn: Int, isc: Int,
                                                                  ish: Int, isw: Int, c: Int,
                                                                  packed_conv: UnsafePointer<Float>, ckh: Int, ckw: Int,
                                                                  csh: Int, csw: Int, cdh: Int, cdw: Int, cpt: Int, cpl: Int,
                                                                  act_conv: KilnActivation, eh: Int, ew: Int, oh: Int,
                                                                  ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int,
                                                                  dw: Int, pt: Int, pl: Int, packed: UnsafePointer<Float>,
                                                                  out: UnsafeMutablePointer<Float>, act: KilnActivation,
                                                                  scratch: UnsafeMutablePointer<Float>) {
        let own: UnsafeMutablePointer<Float> = t.part == 0 ? scratch : (t.scratch ?? scratch)
        for b in 0..<n {
            guard let band = kilnBand(part: t.part, parts: t.parts, n: n, oh: oh, sh: sh, pt: pt, b: b) else { continue }
            f32_conv_dwconv_band(cin: cin, h: h, w: w, in: input + b * isn, isc: isc, ish: ish, isw: isw, c: c,
                                 packed_conv: packed_conv, ckh: ckh, ckw: ckw, csh: csh, csw: csw, cdh: cdh, cdw: cdw,
                                 cpt: cpt, cpl: cpl, act_conv: act_conv, eh: eh, ew: ew, oh: oh, ow: ow, kh: kh, kw: kw,
                                 sh: sh, sw: sw, dh: dh, dw: dw, pt: pt, pl: pl, packed: packed,
                                 out: out + b * oh * ow * c, act: act, oy0: band.oy0, oy1: band.oy1, scratch: own)
        }
    }

    /// `f32_expand_dwconv_project_bias_act` split by output rows (of all images together), each
    /// part's bands in its own scratch (`kiln_f32_expand_dwconv_project_bias_act_part`).
    public static func f32_expand_dwconv_project_bias_act_part<T: KilnTask>(
        _ t: T, n: Int, h: Int, w: Int, cin: Int, in input: UnsafePointer<Float>, c: Int, packed_expand: UnsafePointer<Float>,
        act_expand: KilnActivation, oh: Int, ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
        packed: UnsafePointer<Float>, act: KilnActivation, cout: Int, packed_project: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, r: UnsafePointer<Float>?, act_project: KilnActivation,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let own: UnsafeMutablePointer<Float> = t.part == 0 ? scratch : (t.scratch ?? scratch)
        let image: Int = oh * ow * cout
        for b in 0..<n {
            guard let band = kilnBand(part: t.part, parts: t.parts, n: n, oh: oh, sh: sh, pt: pt, b: b) else { continue }
            f32_expand_dwconv_project_band(h: h, w: w, cin: cin, in: input + b * h * w * cin, c: c,
                                           packed_expand: packed_expand, act_expand: act_expand, oh: oh, ow: ow, kh: kh,
                                           kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt, pl: pl, packed: packed, act: act,
                                           cout: cout, packed_project: packed_project, out: out + b * image,
                                           r: r.map { $0 + b * image }, act_project: act_project, oy0: band.oy0,
                                           oy1: band.oy1, scratch: own)
        }
    }

    /// `f32_conv_dwconv_project_bias_act` split by output rows (of all images together), as above.
    public static func f32_conv_dwconv_project_bias_act_part<T: KilnTask>(
        _ t: T, n: Int, cin: Int, h: Int, w: Int, in input: UnsafePointer<Float>, isn: Int, isc: Int, ish: Int, isw: Int,
        c: Int, packed_conv: UnsafePointer<Float>, ckh: Int, ckw: Int, csh: Int, csw: Int, cdh: Int, cdw: Int, cpt: Int,
        cpl: Int, act_conv: KilnActivation, eh: Int, ew: Int, oh: Int, ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int,
        dw: Int, pt: Int, pl: Int, packed: UnsafePointer<Float>, act: KilnActivation, cout: Int,
        packed_project: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, r: UnsafePointer<Float>?,
        act_project: KilnActivation, scratch: UnsafeMutablePointer<Float>
    ) {
        let own: UnsafeMutablePointer<Float> = t.part == 0 ? scratch : (t.scratch ?? scratch)
        let image: Int = oh * ow * cout
        for b in 0..<n {
            guard let band = kilnBand(part: t.part, parts: t.parts, n: n, oh: oh, sh: sh, pt: pt, b: b) else { continue }
            f32_conv_dwconv_project_band(cin: cin, h: h, w: w, in: input + b * isn, isc: isc, ish: ish, isw: isw, c: c,
                                         packed_conv: packed_conv, ckh: ckh, ckw: ckw, csh: csh, csw: csw, cdh: cdh,
                                         cdw: cdw, cpt: cpt, cpl: cpl, act_conv: act_conv, eh: eh, ew: ew, oh: oh, ow: ow,
                                         kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw, pt: pt, pl: pl, packed: packed,
                                         act: act, cout: cout, packed_project: packed_project, out: out + b * image,
                                         r: r.map { $0 + b * image }, act_project: act_project, oy0: band.oy0,
                                         oy1: band.oy1, scratch: own)
        }
    }

    /// `f32_conv_direct_bias_act` split by output rows (of all images together).
    public static func f32_conv_direct_bias_act_part<T: KilnTask>(_ t: T, n: Int, cin: Int, h: Int, w: Int,
                                                                  in input: UnsafePointer<Float>, isn: Int, isc: Int, ish: Int,
                                                                  isw: Int, cout: Int, oh: Int, ow: Int, kh: Int, kw: Int,
                                                                  sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                                                  packed: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                                                  act: KilnActivation) {
        for b in 0..<n {
            guard let band = kilnBand(part: t.part, parts: t.parts, n: n, oh: oh, sh: sh, pt: pt, b: b) else { continue }
            f32_conv_direct_bias_act(n: 1, cin: cin, h: h - band.row, w: w, in: input + b * isn + band.row * ish, isn: isn,
                                     isc: isc, ish: ish, isw: isw, cout: cout, oh: band.oy1 - band.oy0, ow: ow, kh: kh, kw: kw,
                                     sh: sh, sw: sw, dh: dh, dw: dw, pt: band.pad, pl: pl, packed: packed,
                                     out: out + (b * oh + band.oy0) * ow * cout, act: act)
        }
    }

    /// `f32_conv_generic_bias_act` split by output rows (of all images together).
    public static func f32_conv_generic_bias_act_part<T: KilnTask>(_ t: T, n: Int, cin: Int, h: Int, w: Int,
                                                                   in input: UnsafePointer<Float>, isn: Int, isc: Int, ish: Int,
                                                                   isw: Int, cout: Int, oh: Int, ow: Int, kh: Int, kw: Int,
                                                                   sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                                                   groups: Int, weight: UnsafePointer<Float>,
                                                                   bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                                                                   act: KilnActivation) {
        for b in 0..<n {
            guard let band = kilnBand(part: t.part, parts: t.parts, n: n, oh: oh, sh: sh, pt: pt, b: b) else { continue }
            f32_conv_generic_bias_act(n: 1, cin: cin, h: h - band.row, w: w, in: input + b * isn + band.row * ish, isn: isn,
                                      isc: isc, ish: ish, isw: isw, cout: cout, oh: band.oy1 - band.oy0, ow: ow, kh: kh, kw: kw,
                                      sh: sh, sw: sw, dh: dh, dw: dw, pt: band.pad, pl: pl, groups: groups, weight: weight,
                                      bias: bias, out: out + (b * oh + band.oy0) * ow * cout, act: act)
        }
    }

    /// `f32_gavgpool_nhwc` split by channels (whole panels).
    public static func f32_gavgpool_nhwc_part<T: KilnTask>(_ t: T, n: Int, hw: Int, c: Int, in input: UnsafePointer<Float>,
                                                           out: UnsafeMutablePointer<Float>) {
        let mine: Range<Int> = kilnPartRange(total: c, grain: kilnPanel, part: t.part, parts: t.parts)
        if !mine.isEmpty { gavgpoolChannels(n: n, hw: hw, c: c, channels: mine, input: input, out: out) }
    }

    /// `f32_se_gate_nhwc`: the pool split by channels, then the two FCs, split by output panels when their weights
    /// are at least `kilnSESplitWeights` floats each (`KILN_SE_SPLIT_WEIGHTS`), else on part 0.
    public static func f32_se_gate_nhwc_part<T: KilnTask>(_ t: T, n: Int, hw: Int, c: Int, cr: Int, in input: UnsafePointer<Float>,
                                                          packed1: UnsafePointer<Float>, act1: KilnActivation,
                                                          packed2: UnsafePointer<Float>, gate_act: KilnActivation,
                                                          scratch: UnsafeMutablePointer<Float>, gate: UnsafeMutablePointer<Float>) {
        f32_gavgpool_nhwc_part(t, n: n, hw: hw, c: c, in: input, out: gate)
        t.sync()
        if c * cr >= kilnSESplitWeights && t.parts > 1 {
            for b in 0..<n {
                f32_gemm_bias_act_part(t, p: 1, k: c, n: cr, a: gate + b * c, lda: c, packed: packed1, c: scratch, ldc: cr,
                                       r: nil, ldr: 0, act: act1)
                t.sync()  // scratch whole before the second FC reads it
                f32_gemm_bias_act_part(t, p: 1, k: cr, n: c, a: scratch, lda: cr, packed: packed2, c: gate + b * c, ldc: c,
                                       r: nil, ldr: 0, act: gate_act)
                if b + 1 < n { t.sync() }  // scratch read by every part before the next image's first FC writes it
            }
        } else if t.part == 0 {
            for b in 0..<n {
                seGateFCs(c: c, cr: cr, packed1: packed1, act1: act1, packed2: packed2, gate_act: gate_act, scratch: scratch,
                          gate: gate + b * c)
            }
        }
    }

    /// `f32_channel_scale_nhwc` split by pixels (of all images together).
    public static func f32_channel_scale_nhwc_part<T: KilnTask>(_ t: T, n: Int, hw: Int, c: Int, in input: UnsafePointer<Float>,
                                                                gate: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let mine: Range<Int> = kilnPartRange(total: n * hw, grain: 1, part: t.part, parts: t.parts)
        var b: Int = mine.lowerBound / hw
        while b < n && b * hw < mine.upperBound {
            let p0: Int = Swift.max(mine.lowerBound - b * hw, 0), p1: Int = Swift.min(mine.upperBound - b * hw, hw)
            f32_channel_scale_nhwc(n: 1, hw: p1 - p0, c: c, in: input + (b * hw + p0) * c, gate: gate + b * c,
                                   out: out + (b * hw + p0) * c)
            b += 1
        }
    }

    /// `f32_add_act` split by elements (whole panels).
    public static func f32_add_act_part<T: KilnTask>(_ t: T, count: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                                     out: UnsafeMutablePointer<Float>, act: KilnActivation) {
        let mine: Range<Int> = kilnPartRange(total: count, grain: kilnPanel, part: t.part, parts: t.parts)
        if !mine.isEmpty {
            f32_add_act(count: mine.count, a: a + mine.lowerBound, b: b + mine.lowerBound, out: out + mine.lowerBound, act: act)
        }
    }

    /// `f32_act` split by elements (whole panels).
    public static func f32_act_part<T: KilnTask>(_ t: T, n: Int, in input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                                 act: KilnActivation) {
        let mine: Range<Int> = kilnPartRange(total: n, grain: kilnPanel, part: t.part, parts: t.parts)
        if !mine.isEmpty { f32_act(n: mine.count, in: input + mine.lowerBound, out: out + mine.lowerBound, act: act) }
    }

    /// `copy_strided` split along the outermost dimension of its shape with more than one element
    /// (`kiln_copy_strided_part`).
    public static func copy_strided_part<T: KilnTask>(_ t: T, size: Int, shape: KilnDims, in input: UnsafeRawPointer, in_at: Int,
                                                      is inStrides: KilnDims, out: UnsafeMutableRawPointer, out_at: Int,
                                                      os outStrides: KilnDims) {
        var d: Int = 0
        while d + 1 < 6 && kilnDimension(shape, d) == 1 { d += 1 }
        let mine: Range<Int> = kilnPartRange(total: kilnDimension(shape, d), grain: 1, part: t.part, parts: t.parts)
        guard !mine.isEmpty else { return }
        copy_strided(size: size, shape: kilnSetting(shape, d, mine.count), in: input,
                     in_at: in_at + mine.lowerBound * kilnDimension(inStrides, d), is: inStrides, out: out,
                     out_at: out_at + mine.lowerBound * kilnDimension(outStrides, d), os: outStrides)
    }

    /// `f32_softmax` split by rows.
    public static func f32_softmax_part<T: KilnTask>(_ t: T, rows: Int, n: Int, in input: UnsafePointer<Float>,
                                                     out: UnsafeMutablePointer<Float>) {
        let mine: Range<Int> = kilnPartRange(total: rows, grain: 1, part: t.part, parts: t.parts)
        if !mine.isEmpty {
            f32_softmax(rows: mine.count, n: n, in: input + mine.lowerBound * n, out: out + mine.lowerBound * n)
        }
    }

    /// `f32_nchw_to_nhwc` split by pixels (of each image, 64 at a time).
    public static func f32_nchw_to_nhwc_part<T: KilnTask>(_ t: T, n: Int, c: Int, hw: Int, in input: UnsafePointer<Float>,
                                                          out: UnsafeMutablePointer<Float>) {
        let mine: Range<Int> = kilnPartRange(total: hw, grain: 64, part: t.part, parts: t.parts)
        if !mine.isEmpty { transpose(n: n, rows: c, columns: hw, rowRange: 0..<c, columnRange: mine, input: input, out: out) }
    }

    /// `f32_nhwc_to_nchw` split by pixels (of each image, 64 at a time).
    public static func f32_nhwc_to_nchw_part<T: KilnTask>(_ t: T, n: Int, c: Int, hw: Int, in input: UnsafePointer<Float>,
                                                          out: UnsafeMutablePointer<Float>) {
        let mine: Range<Int> = kilnPartRange(total: hw, grain: 64, part: t.part, parts: t.parts)
        if !mine.isEmpty { transpose(n: n, rows: hw, columns: c, rowRange: mine, columnRange: 0..<c, input: input, out: out) }
    }
}
