extension KilnKernels {
    /// The taps [lo, hi) of a window starting at `i0` (dilation `d`, `k` taps) that land in [0, size).
    @inline(__always)
    static func tapRange(_ i0: Int, _ k: Int, _ d: Int, _ size: Int) -> (lo: Int, hi: Int) {
        let lo: Int = i0 < 0 ? (-i0 + d - 1) / d : 0
        let last: Int = size - 1 - i0
        var hi: Int = last < 0 ? 0 : last / d + 1
        if hi > k { hi = k }
        return (Swift.min(lo, hi), hi)
    }

    /// Output columns whose taps all land inside the input: [lo, hi).
    @inline(__always)
    static func interior(w: Int, ow: Int, kw: Int, sw: Int, dw: Int, pl: Int) -> (lo: Int, hi: Int) {
        let span: Int = (kw - 1) * dw + 1
        var hi: Int = w + pl >= span ? (w + pl - span) / sw + 1 : 0
        if hi > ow { hi = ow }
        let lo: Int = (pl + sw - 1) / sw
        return (Swift.min(lo, hi), hi)
    }

    /// Depthwise kh×kw conv over NHWC, fused bias and activation, any stride, padding and dilation:
    ///   out[b][oy][ox][ch] = act(bias[ch] + Σ in[b][oy·sh − pt + ky·dh][ox·sw − pl + kx·dw][ch] · W[ch][ky][kx])
    /// with taps outside the input contributing 0. `packed` is `kiln_pack_dwconv_f32`'s layout: Cpad
    /// (c rounded up to 16) biases, then Cpad weights per tap. 3×3 and 5×5 kernels run each output
    /// row with the weights in registers (`DepthwiseRow`: four interior pixels at a time, border
    /// pixels and rows with their taps clipped); other sizes and the channels past the last whole
    /// vector take the per-pixel path.
    @inline(never)
    public static func f32_dwconv_bias_act(n: Int, h: Int, w: Int, c: Int, in input: UnsafePointer<Float>, oh: Int,
                                           ow: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int,
                                           pl: Int, packed: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                           act: KilnActivation) {
        let cpad: Int = (c + kilnPanel - 1) / kilnPanel * kilnPanel
        let (oxLo, oxHi) = interior(w: w, ow: ow, kw: kw, sw: sw, dw: dw, pl: pl)
        let fast: Bool = (kh == 3 && kw == 3) || (kh == 5 && kw == 5)
        let cfull: Int = fast ? c - c % V.lanes : 0
        // A clamp activation is applied as results are stored; any other over each finished row.
        let clamp: Bool = act.isClamp
        let lo: V = V.splat(clamp ? act.lower : -Float.infinity), hi: V = V.splat(clamp ? act.upper : Float.infinity)
        for b in 0..<n {
            let inb: UnsafePointer<Float> = input + b * h * w * c
            for oy in 0..<oh {
                let orow: UnsafeMutablePointer<Float> = out + (b * oh + oy) * ow * c
                let iy0: Int = oy * sh - pt
                let (ky0, ky1) = tapRange(iy0, kh, dh, h)
                if cfull > 0 {
                    let rows = DepthwiseRow(input: inb, iy0: iy0, rowStride: w * c, c: c, sw: sw, dw: dw, dh: dh, pl: pl,
                                            w: w, ow: ow, from: oxLo, to: oxHi, ky: ky0..<ky1, lo: lo, hi: hi)
                    for cc in stride(from: 0, to: cfull, by: V.lanes) {
                        if kh == 3 {
                            rows.row3x3(cc: cc, packed: packed, cpad: cpad, out: orow)
                        } else {
                            rows.row5x5(cc: cc, packed: packed, cpad: cpad, out: orow)
                        }
                    }
                }
                if cfull < c {
                    for ox in 0..<ow {
                        let ix0: Int = ox * sw - pl
                        let (kx0, kx1) = tapRange(ix0, kw, dw, w)
                        pixel(c0: cfull, c: c, cpad: cpad, input: inb, w: w, iy0: iy0, ix0: ix0, kw: kw, dh: dh, dw: dw,
                              ky: ky0..<ky1, kx: kx0..<kx1, packed: packed, out: orow + ox * c, lo: lo, hi: hi)
                    }
                }
                if !clamp { act.run(V.self, n: ow * c, input: orow, out: orow, residual: nil) }
            }
        }
    }

    /// One output pixel, channels [c0, c), taps clipped to the given ranges, clamped to [lo, hi].
    @inline(__always)
    static func pixel(c0: Int, c: Int, cpad: Int, input: UnsafePointer<Float>, w: Int, iy0: Int, ix0: Int, kw: Int,
                      dh: Int, dw: Int, ky: Range<Int>, kx: Range<Int>, packed: UnsafePointer<Float>,
                      out: UnsafeMutablePointer<Float>, lo: V, hi: V) {
        let weights: UnsafePointer<Float> = packed + cpad
        var cc: Int = c0
        while cc < c {
            let lanes: Int = Swift.min(V.lanes, c - cc)
            var acc: V = V.load(packed + cc)
            for y in ky {
                let irow: UnsafePointer<Float> = input + (iy0 + y * dh) * w * c + cc
                for x in kx {
                    let ip: UnsafePointer<Float> = irow + (ix0 + x * dw) * c
                    let v: V = lanes == V.lanes ? V.load(ip) : V.load(ip, count: lanes)
                    acc = V.fma(v, V.load(weights + (y * kw + x) * cpad + cc), acc)
                }
            }
            V.min(V.max(acc, lo), hi).store(out + cc, count: lanes)
            cc += V.lanes
        }
    }
}
