extension KilnKernels {
    /// Direct conv, one group, for few input channels (the stem), reading the input through element
    /// strides (NCHW: isn = C·H·W, isc = H·W, ish = W, isw = 1; NHWC: isn = H·W·C, isc = 1,
    /// ish = W·C, isw = C) and writing NHWC:
    ///   out[b][oy][ox][co] = act(bias[co] + Σ in[b][ci][oy·sh − pt + ky·dh][ox·sw − pl + kx·dw] · W[co][ci][ky][kx])
    /// `packed` is `kiln_pack_conv_f32`'s: per panel of 16 output channels, 16 biases then
    /// [kh][kw][cin][16] weights. Interior pixels go eight at a time (one input broadcast per pixel
    /// and tap, one weight vector per tap), border pixels one at a time with clipped taps.
    @inline(never)
    public static func f32_conv_direct_bias_act(n: Int, cin: Int, h: Int, w: Int, in input: UnsafePointer<Float>,
                                                isn: Int, isc: Int, ish: Int, isw: Int, cout: Int, oh: Int, ow: Int,
                                                kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                                packed: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                                act: KilnActivation) {
        let panels: Int = (cout + kilnPanel - 1) / kilnPanel
        let pstride: Int = kilnPanel * (1 + kh * kw * cin)
        let (oxLo, oxHi) = interior(w: w, ow: ow, kw: kw, sw: sw, dw: dw, pl: pl)
        // A clamp activation is applied as results are stored; any other over each finished row.
        let clamp: Bool = act.isClamp
        let lo: V = V.splat(clamp ? act.lower : -Float.infinity), hi: V = V.splat(clamp ? act.upper : Float.infinity)
        for b in 0..<n {
            for oy in 0..<oh {
                let iy0: Int = oy * sh - pt
                let (ky0, ky1) = tapRange(iy0, kh, dh, h)
                let geometry = DirectRow(input: input + b * isn + iy0 * ish, cin: cin, isc: isc, ish: ish, isw: isw,
                                         sw: sw, dh: dh, dw: dw, pl: pl, kw: kw, ky: ky0..<ky1, lo: lo, hi: hi)
                let orow: UnsafeMutablePointer<Float> = out + (b * oh + oy) * ow * cout
                for j in 0..<panels {
                    let nvalid: Int = Swift.min(kilnPanel, cout - j * kilnPanel)
                    for v in stride(from: 0, to: nvalid, by: V.lanes) {
                        let weights: UnsafePointer<Float> = packed + j * pstride + v
                        let lanes: Int = Swift.min(V.lanes, nvalid - v)
                        let o: UnsafeMutablePointer<Float> = orow + j * kilnPanel + v
                        var ox: Int = 0
                        while ox < ow {
                            if ox >= oxLo && ox + 8 <= oxHi {
                                geometry.eight(ox: ox, weights: weights, out: o, cout: cout, lanes: lanes)
                                ox += 8
                            } else {
                                let (kx0, kx1) = tapRange(ox * sw - pl, kw, dw, w)
                                geometry.one(ox: ox, kx: kx0..<kx1, weights: weights, out: o, cout: cout, lanes: lanes)
                                ox += 1
                            }
                        }
                    }
                }
                if !clamp { act.run(V.self, n: ow * cout, input: orow, out: orow, residual: nil) }
            }
        }
    }

    /// One output row of the direct conv: the input from its first tap row, the tap rows inside.
    /// Results are clamped as they are stored; other activations the caller runs over the finished row.
    struct DirectRow {
        let input: UnsafePointer<Float>
        let cin: Int, isc: Int, ish: Int, isw: Int, sw: Int, dh: Int, dw: Int, pl: Int, kw: Int
        let ky: Range<Int>
        /// The clamp activation's bounds (±infinity for none or a non-clamp activation).
        let lo: V, hi: V

        /// Output pixel `ox`, taps `kx`, one vector of output channels (`lanes` of them real).
        @inline(__always)
        func one(ox: Int, kx: Range<Int>, weights: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, cout: Int,
                 lanes: Int) {
            var acc: V = V.load(weights)
            for y in ky {
                for x in kx {
                    let ip: UnsafePointer<Float> = input + y * dh * ish + (ox * sw + x * dw - pl) * isw
                    let wp: UnsafePointer<Float> = weights + kilnPanel * (1 + (y * kw + x) * cin)
                    for ci in 0..<cin { acc = V.fma(V.splat(ip[ci * isc]), V.load(wp + ci * kilnPanel), acc) }
                }
            }
            V.min(V.max(acc, lo), hi).store(out + ox * cout, count: lanes)
        }

        /// Eight interior pixels from `ox` (every kx tap inside).
        @inline(__always)
        func eight(ox: Int, weights: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, cout: Int, lanes: Int) {
            let bias: V = V.load(weights)
            var a0: V = bias, a1: V = bias, a2: V = bias, a3: V = bias, a4: V = bias, a5: V = bias, a6: V = bias, a7: V = bias
            let ps: Int = sw * isw
            for y in ky {
                for x in 0..<kw {
                    let ip: UnsafePointer<Float> = input + y * dh * ish + (ox * sw + x * dw - pl) * isw
                    let wp: UnsafePointer<Float> = weights + kilnPanel * (1 + (y * kw + x) * cin)
                    for ci in 0..<cin {
                        let wv: V = V.load(wp + ci * kilnPanel)
                        let q: UnsafePointer<Float> = ip + ci * isc
                        a0 = V.fma(V.splat(q[0]), wv, a0)
                        a1 = V.fma(V.splat(q[ps]), wv, a1)
                        a2 = V.fma(V.splat(q[2 * ps]), wv, a2)
                        a3 = V.fma(V.splat(q[3 * ps]), wv, a3)
                        a4 = V.fma(V.splat(q[4 * ps]), wv, a4)
                        a5 = V.fma(V.splat(q[5 * ps]), wv, a5)
                        a6 = V.fma(V.splat(q[6 * ps]), wv, a6)
                        a7 = V.fma(V.splat(q[7 * ps]), wv, a7)
                    }
                }
            }
            let o: UnsafeMutablePointer<Float> = out + ox * cout
            V.min(V.max(a0, lo), hi).store(o, count: lanes)
            V.min(V.max(a1, lo), hi).store(o + cout, count: lanes)
            V.min(V.max(a2, lo), hi).store(o + 2 * cout, count: lanes)
            V.min(V.max(a3, lo), hi).store(o + 3 * cout, count: lanes)
            V.min(V.max(a4, lo), hi).store(o + 4 * cout, count: lanes)
            V.min(V.max(a5, lo), hi).store(o + 5 * cout, count: lanes)
            V.min(V.max(a6, lo), hi).store(o + 6 * cout, count: lanes)
            V.min(V.max(a7, lo), hi).store(o + 7 * cout, count: lanes)
        }
    }

    /// The always-applicable fallback: any groups (cin and cout divisible by groups), strides,
    /// dilations and pads, scalar loops. `weight` is ONNX's [cout][cin/groups][kh][kw], unpacked;
    /// `bias` cout floats. Reads through element strides like the direct conv, writes NHWC.
    @inline(never)
    public static func f32_conv_generic_bias_act(n: Int, cin: Int, h: Int, w: Int, in input: UnsafePointer<Float>,
                                                 isn: Int, isc: Int, ish: Int, isw: Int, cout: Int, oh: Int, ow: Int,
                                                 kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, pt: Int, pl: Int,
                                                 groups: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                                 out: UnsafeMutablePointer<Float>, act: KilnActivation) {
        let cig: Int = cin / groups, cog: Int = cout / groups
        for b in 0..<n {
            for oy in 0..<oh {
                let iy0: Int = oy * sh - pt
                let (ky0, ky1) = tapRange(iy0, kh, dh, h)
                for ox in 0..<ow {
                    let ix0: Int = ox * sw - pl
                    let (kx0, kx1) = tapRange(ix0, kw, dw, w)
                    let o: UnsafeMutablePointer<Float> = out + ((b * oh + oy) * ow + ox) * cout
                    for co in 0..<cout {
                        let g: Int = co / cog
                        var s: Float = bias.map { $0[co] } ?? 0
                        for ci in 0..<cig {
                            let ip: UnsafePointer<Float> = input + b * isn + (g * cig + ci) * isc
                            let wp: UnsafePointer<Float> = weight + (co * cig + ci) * kh * kw
                            for y in ky0..<ky1 {
                                for x in kx0..<kx1 {
                                    s += ip[(iy0 + y * dh) * ish + (ix0 + x * dw) * isw] * wp[y * kw + x]
                                }
                            }
                        }
                        o[co] = s
                    }
                    f32_act(n: cout, in: o, out: o, act: act)
                }
            }
        }
    }
}
