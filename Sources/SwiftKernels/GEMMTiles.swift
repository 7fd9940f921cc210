// The GEMM's register tiles, written out: Swift has no arrays that live in registers (an
// `InlineArray` of accumulators stayed in memory: 9 GFLOP/s against 77 for named variables on the
// same SIMD16 tile), so each tile names its accumulators: `ci_j` is row i, vector column j (0 or 1).
// Two vector columns are 32 output channels (two panels) on AVX-512, one panel on AVX2, and two of a
// panel's 16 columns on the generic target. Rows: 12 (AVX-512's main tile, 24 accumulators), 6
// (AVX2's and generic's), and 4, 2, 1 for the remainders. Tiles are out of line: a call per tile
// is nothing against its k steps, and each tile's code then exists once.

extension KilnKernels {
    @inline(never)
    static func tile12(k: Int, a: UnsafePointer<Float>, lda: Int, w0: UnsafePointer<Float>, w1: UnsafePointer<Float>,
                       n0: Int, n1: Int, c: UnsafeMutablePointer<Float>, ldc: Int, r: UnsafePointer<Float>?, ldr: Int,
                       act: KilnActivation) {
        let b0: V = V.load(w0), b1: V = V.load(w1)
        var c0_0: V = b0, c0_1: V = b1
        var c1_0: V = b0, c1_1: V = b1
        var c2_0: V = b0, c2_1: V = b1
        var c3_0: V = b0, c3_1: V = b1
        var c4_0: V = b0, c4_1: V = b1
        var c5_0: V = b0, c5_1: V = b1
        var c6_0: V = b0, c6_1: V = b1
        var c7_0: V = b0, c7_1: V = b1
        var c8_0: V = b0, c8_1: V = b1
        var c9_0: V = b0, c9_1: V = b1
        var c10_0: V = b0, c10_1: V = b1
        var c11_0: V = b0, c11_1: V = b1
        var p0: UnsafePointer<Float> = w0 + kilnPanel, p1: UnsafePointer<Float> = w1 + kilnPanel
        var x: UnsafePointer<Float> = a
        for _ in 0..<k {
            let v0: V = V.load(p0), v1: V = V.load(p1)
            let a0: V = V.splat(x[0])
            c0_0 = V.fma(a0, v0, c0_0)
            c0_1 = V.fma(a0, v1, c0_1)
            let a1: V = V.splat(x[1 * lda])
            c1_0 = V.fma(a1, v0, c1_0)
            c1_1 = V.fma(a1, v1, c1_1)
            let a2: V = V.splat(x[2 * lda])
            c2_0 = V.fma(a2, v0, c2_0)
            c2_1 = V.fma(a2, v1, c2_1)
            let a3: V = V.splat(x[3 * lda])
            c3_0 = V.fma(a3, v0, c3_0)
            c3_1 = V.fma(a3, v1, c3_1)
            let a4: V = V.splat(x[4 * lda])
            c4_0 = V.fma(a4, v0, c4_0)
            c4_1 = V.fma(a4, v1, c4_1)
            let a5: V = V.splat(x[5 * lda])
            c5_0 = V.fma(a5, v0, c5_0)
            c5_1 = V.fma(a5, v1, c5_1)
            let a6: V = V.splat(x[6 * lda])
            c6_0 = V.fma(a6, v0, c6_0)
            c6_1 = V.fma(a6, v1, c6_1)
            let a7: V = V.splat(x[7 * lda])
            c7_0 = V.fma(a7, v0, c7_0)
            c7_1 = V.fma(a7, v1, c7_1)
            let a8: V = V.splat(x[8 * lda])
            c8_0 = V.fma(a8, v0, c8_0)
            c8_1 = V.fma(a8, v1, c8_1)
            let a9: V = V.splat(x[9 * lda])
            c9_0 = V.fma(a9, v0, c9_0)
            c9_1 = V.fma(a9, v1, c9_1)
            let a10: V = V.splat(x[10 * lda])
            c10_0 = V.fma(a10, v0, c10_0)
            c10_1 = V.fma(a10, v1, c10_1)
            let a11: V = V.splat(x[11 * lda])
            c11_0 = V.fma(a11, v0, c11_0)
            c11_1 = V.fma(a11, v1, c11_1)
            p0 += kilnPanel
            p1 += kilnPanel
            x += 1
        }
        let clamp: Bool = act.isClamp, residual: UnsafePointer<Float>? = clamp ? r : nil
        let lo: V = V.splat(clamp ? act.lower : -Float.infinity), hi: V = V.splat(clamp ? act.upper : Float.infinity)
        finish(c0_0, c0_1, row: 0, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c1_0, c1_1, row: 1, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c2_0, c2_1, row: 2, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c3_0, c3_1, row: 3, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c4_0, c4_1, row: 4, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c5_0, c5_1, row: 5, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c6_0, c6_1, row: 6, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c7_0, c7_1, row: 7, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c8_0, c8_1, row: 8, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c9_0, c9_1, row: 9, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c10_0, c10_1, row: 10, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c11_0, c11_1, row: 11, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        if !clamp { activate(rows: 12, n0: n0, n1: n1, c: c, ldc: ldc, r: r, ldr: ldr, act: act) }
    }

    @inline(never)
    static func tile6(k: Int, a: UnsafePointer<Float>, lda: Int, w0: UnsafePointer<Float>, w1: UnsafePointer<Float>,
                       n0: Int, n1: Int, c: UnsafeMutablePointer<Float>, ldc: Int, r: UnsafePointer<Float>?, ldr: Int,
                       act: KilnActivation) {
        let b0: V = V.load(w0), b1: V = V.load(w1)
        var c0_0: V = b0, c0_1: V = b1
        var c1_0: V = b0, c1_1: V = b1
        var c2_0: V = b0, c2_1: V = b1
        var c3_0: V = b0, c3_1: V = b1
        var c4_0: V = b0, c4_1: V = b1
        var c5_0: V = b0, c5_1: V = b1
        var p0: UnsafePointer<Float> = w0 + kilnPanel, p1: UnsafePointer<Float> = w1 + kilnPanel
        var x: UnsafePointer<Float> = a
        for _ in 0..<k {
            let v0: V = V.load(p0), v1: V = V.load(p1)
            let a0: V = V.splat(x[0])
            c0_0 = V.fma(a0, v0, c0_0)
            c0_1 = V.fma(a0, v1, c0_1)
            let a1: V = V.splat(x[1 * lda])
            c1_0 = V.fma(a1, v0, c1_0)
            c1_1 = V.fma(a1, v1, c1_1)
            let a2: V = V.splat(x[2 * lda])
            c2_0 = V.fma(a2, v0, c2_0)
            c2_1 = V.fma(a2, v1, c2_1)
            let a3: V = V.splat(x[3 * lda])
            c3_0 = V.fma(a3, v0, c3_0)
            c3_1 = V.fma(a3, v1, c3_1)
            let a4: V = V.splat(x[4 * lda])
            c4_0 = V.fma(a4, v0, c4_0)
            c4_1 = V.fma(a4, v1, c4_1)
            let a5: V = V.splat(x[5 * lda])
            c5_0 = V.fma(a5, v0, c5_0)
            c5_1 = V.fma(a5, v1, c5_1)
            p0 += kilnPanel
            p1 += kilnPanel
            x += 1
        }
        let clamp: Bool = act.isClamp, residual: UnsafePointer<Float>? = clamp ? r : nil
        let lo: V = V.splat(clamp ? act.lower : -Float.infinity), hi: V = V.splat(clamp ? act.upper : Float.infinity)
        finish(c0_0, c0_1, row: 0, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c1_0, c1_1, row: 1, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c2_0, c2_1, row: 2, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c3_0, c3_1, row: 3, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c4_0, c4_1, row: 4, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c5_0, c5_1, row: 5, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        if !clamp { activate(rows: 6, n0: n0, n1: n1, c: c, ldc: ldc, r: r, ldr: ldr, act: act) }
    }

    @inline(never)
    static func tile4(k: Int, a: UnsafePointer<Float>, lda: Int, w0: UnsafePointer<Float>, w1: UnsafePointer<Float>,
                       n0: Int, n1: Int, c: UnsafeMutablePointer<Float>, ldc: Int, r: UnsafePointer<Float>?, ldr: Int,
                       act: KilnActivation) {
        let b0: V = V.load(w0), b1: V = V.load(w1)
        var c0_0: V = b0, c0_1: V = b1
        var c1_0: V = b0, c1_1: V = b1
        var c2_0: V = b0, c2_1: V = b1
        var c3_0: V = b0, c3_1: V = b1
        var p0: UnsafePointer<Float> = w0 + kilnPanel, p1: UnsafePointer<Float> = w1 + kilnPanel
        var x: UnsafePointer<Float> = a
        for _ in 0..<k {
            let v0: V = V.load(p0), v1: V = V.load(p1)
            let a0: V = V.splat(x[0])
            c0_0 = V.fma(a0, v0, c0_0)
            c0_1 = V.fma(a0, v1, c0_1)
            let a1: V = V.splat(x[1 * lda])
            c1_0 = V.fma(a1, v0, c1_0)
            c1_1 = V.fma(a1, v1, c1_1)
            let a2: V = V.splat(x[2 * lda])
            c2_0 = V.fma(a2, v0, c2_0)
            c2_1 = V.fma(a2, v1, c2_1)
            let a3: V = V.splat(x[3 * lda])
            c3_0 = V.fma(a3, v0, c3_0)
            c3_1 = V.fma(a3, v1, c3_1)
            p0 += kilnPanel
            p1 += kilnPanel
            x += 1
        }
        let clamp: Bool = act.isClamp, residual: UnsafePointer<Float>? = clamp ? r : nil
        let lo: V = V.splat(clamp ? act.lower : -Float.infinity), hi: V = V.splat(clamp ? act.upper : Float.infinity)
        finish(c0_0, c0_1, row: 0, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c1_0, c1_1, row: 1, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c2_0, c2_1, row: 2, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c3_0, c3_1, row: 3, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        if !clamp { activate(rows: 4, n0: n0, n1: n1, c: c, ldc: ldc, r: r, ldr: ldr, act: act) }
    }

    @inline(never)
    static func tile2(k: Int, a: UnsafePointer<Float>, lda: Int, w0: UnsafePointer<Float>, w1: UnsafePointer<Float>,
                       n0: Int, n1: Int, c: UnsafeMutablePointer<Float>, ldc: Int, r: UnsafePointer<Float>?, ldr: Int,
                       act: KilnActivation) {
        let b0: V = V.load(w0), b1: V = V.load(w1)
        var c0_0: V = b0, c0_1: V = b1
        var c1_0: V = b0, c1_1: V = b1
        var p0: UnsafePointer<Float> = w0 + kilnPanel, p1: UnsafePointer<Float> = w1 + kilnPanel
        var x: UnsafePointer<Float> = a
        for _ in 0..<k {
            let v0: V = V.load(p0), v1: V = V.load(p1)
            let a0: V = V.splat(x[0])
            c0_0 = V.fma(a0, v0, c0_0)
            c0_1 = V.fma(a0, v1, c0_1)
            let a1: V = V.splat(x[1 * lda])
            c1_0 = V.fma(a1, v0, c1_0)
            c1_1 = V.fma(a1, v1, c1_1)
            p0 += kilnPanel
            p1 += kilnPanel
            x += 1
        }
        let clamp: Bool = act.isClamp, residual: UnsafePointer<Float>? = clamp ? r : nil
        let lo: V = V.splat(clamp ? act.lower : -Float.infinity), hi: V = V.splat(clamp ? act.upper : Float.infinity)
        finish(c0_0, c0_1, row: 0, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        finish(c1_0, c1_1, row: 1, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        if !clamp { activate(rows: 2, n0: n0, n1: n1, c: c, ldc: ldc, r: r, ldr: ldr, act: act) }
    }

    @inline(never)
    static func tile1(k: Int, a: UnsafePointer<Float>, lda: Int, w0: UnsafePointer<Float>, w1: UnsafePointer<Float>,
                       n0: Int, n1: Int, c: UnsafeMutablePointer<Float>, ldc: Int, r: UnsafePointer<Float>?, ldr: Int,
                       act: KilnActivation) {
        let b0: V = V.load(w0), b1: V = V.load(w1)
        var c0_0: V = b0, c0_1: V = b1
        var p0: UnsafePointer<Float> = w0 + kilnPanel, p1: UnsafePointer<Float> = w1 + kilnPanel
        var x: UnsafePointer<Float> = a
        for _ in 0..<k {
            let v0: V = V.load(p0), v1: V = V.load(p1)
            let a0: V = V.splat(x[0])
            c0_0 = V.fma(a0, v0, c0_0)
            c0_1 = V.fma(a0, v1, c0_1)
            p0 += kilnPanel
            p1 += kilnPanel
            x += 1
        }
        let clamp: Bool = act.isClamp, residual: UnsafePointer<Float>? = clamp ? r : nil
        let lo: V = V.splat(clamp ? act.lower : -Float.infinity), hi: V = V.splat(clamp ? act.upper : Float.infinity)
        finish(c0_0, c0_1, row: 0, n0: n0, n1: n1, c: c, ldc: ldc, r: residual, ldr: ldr, lo: lo, hi: hi)
        if !clamp { activate(rows: 1, n0: n0, n1: n1, c: c, ldc: ldc, r: r, ldr: ldr, act: act) }
    }

    /// Stores one tile row clamped to [lo, hi] (a clamp activation; ±infinity otherwise), adding the
    /// residual `r` when given (partial where a column has fewer valid lanes than a vector; `n1` = 0:
    /// no second column).
    @inline(__always)
    static func finish(_ y0: V, _ y1: V, row: Int, n0: Int, n1: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                       r: UnsafePointer<Float>?, ldr: Int, lo: V, hi: V) {
        let out: UnsafeMutablePointer<Float> = c + row * ldc
        var z0: V = V.min(V.max(y0, lo), hi), z1: V = V.min(V.max(y1, lo), hi)
        if let r {
            let res: UnsafePointer<Float> = r + row * ldr
            z0 = z0 + V.load(res, count: n0)
            if n1 > 0 { z1 = z1 + V.load(res + V.lanes, count: n1) }
        }
        z0.store(out, count: n0)
        if n1 > 0 { z1.store(out + V.lanes, count: n1) }
    }

    /// The epilogue of a tile with an activation other than a clamp, over the stored tile (in L1): act, then + R. Out of
    /// line, so that the activation's code exists once rather than at every row of every tile (which
    /// cost a quarter of the Swift compile time), and after the accumulators are dead (a call
    /// between rows would spill them all).
    @inline(never)
    static func activate(rows: Int, n0: Int, n1: Int, c: UnsafeMutablePointer<Float>, ldc: Int, r: UnsafePointer<Float>?,
                         ldr: Int, act: KilnActivation) {
        for row in 0..<rows {
            let out: UnsafeMutablePointer<Float> = c + row * ldc
            act.run(V.self, n: n0 + n1, input: out, out: out, residual: r.map { $0 + row * ldr })
        }
    }
}
