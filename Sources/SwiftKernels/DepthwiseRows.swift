extension KilnKernels {
    /// One output row of a 3×3 or 5×5 depthwise conv, one channel vector at a time with its weights in
    /// registers (named: Swift keeps no array in registers). Interior columns go four pixels at a time
    /// with no bounds checks, border columns one at a time with their taps clipped; tap rows outside
    /// the input (`ky`, top and bottom rows) are skipped by a test per tap row, the same for the whole
    /// row. Results are clamped as they are stored; other activations the caller runs over the row.
    struct DepthwiseRow {
        typealias Quad = (V, V, V, V)
        typealias Taps3 = (V, V, V)
        typealias Taps5 = (V, V, V, V, V)

        let input: UnsafePointer<Float>
        let iy0: Int, rowStride: Int, c: Int, sw: Int, dw: Int, dh: Int, pl: Int
        /// Input width (for clipping border columns), output width, interior columns [from, to).
        let w: Int, ow: Int, from: Int, to: Int
        /// The tap rows inside the input.
        let ky: Range<Int>
        /// The clamp activation's bounds (±infinity for none or a non-clamp activation).
        let lo: V, hi: V

        @inline(__always) func clamp(_ x: V) -> V { V.min(V.max(x, lo), hi) }

        /// The input at tap row `ky`, first tap of output column `ox`, channel `cc` (formed for
        /// clipped taps too, but only read for taps inside).
        @inline(__always) func at(_ ky: Int, _ ox: Int, _ cc: Int) -> UnsafePointer<Float> {
            input + (iy0 + ky * dh) * rowStride + (ox * sw - pl) * c + cc
        }

        @inline(__always) static func taps3(_ packed: UnsafePointer<Float>, _ cpad: Int, _ row: Int) -> Taps3 {
            (V.load(packed + (row * 3 + 1) * cpad), V.load(packed + (row * 3 + 2) * cpad), V.load(packed + (row * 3 + 3) * cpad))
        }

        @inline(__always) static func taps5(_ packed: UnsafePointer<Float>, _ cpad: Int, _ row: Int) -> Taps5 {
            let p: UnsafePointer<Float> = packed + (row * 5 + 1) * cpad
            return (V.load(p), V.load(p + cpad), V.load(p + 2 * cpad), V.load(p + 3 * cpad), V.load(p + 4 * cpad))
        }

        /// Four pixels' results, `c` floats apart.
        @inline(__always) func store(_ a: Quad, _ o: UnsafeMutablePointer<Float>) {
            clamp(a.0).store(o)
            clamp(a.1).store(o + c)
            clamp(a.2).store(o + 2 * c)
            clamp(a.3).store(o + 3 * c)
        }

        /// One tap for four pixels `ps` floats apart.
        @inline(__always) func quad(_ a: inout Quad, _ q: UnsafePointer<Float>, _ wv: V, _ ps: Int) {
            a.0 = V.fma(V.load(q), wv, a.0)
            a.1 = V.fma(V.load(q + ps), wv, a.1)
            a.2 = V.fma(V.load(q + 2 * ps), wv, a.2)
            a.3 = V.fma(V.load(q + 3 * ps), wv, a.3)
        }

        /// Tap `x` of one pixel, when it is inside [kx0, kx1).
        @inline(__always) func tap(_ s: V, _ ip: UnsafePointer<Float>, _ x: Int, _ wv: V, _ kx0: Int, _ kx1: Int) -> V {
            x >= kx0 && x < kx1 ? V.fma(V.load(ip + x * dw * c), wv, s) : s
        }

        /// One tap row of three taps for four pixels.
        @inline(__always) func row3(_ a: inout Quad, _ ip: UnsafePointer<Float>, _ t: Taps3) {
            let ps: Int = sw * c, ts: Int = dw * c
            quad(&a, ip, t.0, ps)
            quad(&a, ip + ts, t.1, ps)
            quad(&a, ip + 2 * ts, t.2, ps)
        }

        /// One tap row of three taps for one pixel, taps clipped to [kx0, kx1).
        @inline(__always) func single3(_ a: V, _ ip: UnsafePointer<Float>, _ t: Taps3, _ kx0: Int, _ kx1: Int) -> V {
            tap(tap(tap(a, ip, 0, t.0, kx0, kx1), ip, 1, t.1, kx0, kx1), ip, 2, t.2, kx0, kx1)
        }

        func row3x3(cc: Int, packed: UnsafePointer<Float>, cpad: Int, out: UnsafeMutablePointer<Float>) {
            let p: UnsafePointer<Float> = packed + cc
            let t0: Taps3 = Self.taps3(p, cpad, 0), t1: Taps3 = Self.taps3(p, cpad, 1), t2: Taps3 = Self.taps3(p, cpad, 2)
            let bias: V = V.load(p)
            let r0: Bool = ky.contains(0), r1: Bool = ky.contains(1), r2: Bool = ky.contains(2)
            var ox: Int = 0
            while ox < ow {
                if ox >= from && ox + 4 <= to {
                    var a: Quad = (bias, bias, bias, bias)
                    if r0 { row3(&a, at(0, ox, cc), t0) }
                    if r1 { row3(&a, at(1, ox, cc), t1) }
                    if r2 { row3(&a, at(2, ox, cc), t2) }
                    store(a, out + ox * c + cc)
                    ox += 4
                } else {
                    // One pixel, two accumulator chains (even and odd tap rows) to halve the FMA latency chain.
                    let (kx0, kx1) = tapRange(ox * sw - pl, 3, dw, w)
                    var e: V = bias, o: V = V.zero
                    if r0 { e = single3(e, at(0, ox, cc), t0, kx0, kx1) }
                    if r1 { o = single3(o, at(1, ox, cc), t1, kx0, kx1) }
                    if r2 { e = single3(e, at(2, ox, cc), t2, kx0, kx1) }
                    clamp(e + o).store(out + ox * c + cc)
                    ox += 1
                }
            }
        }

        /// One tap row of five taps for four pixels.
        @inline(__always) func row5(_ a: inout Quad, _ ip: UnsafePointer<Float>, _ t: Taps5) {
            let ps: Int = sw * c, ts: Int = dw * c
            quad(&a, ip, t.0, ps)
            quad(&a, ip + ts, t.1, ps)
            quad(&a, ip + 2 * ts, t.2, ps)
            quad(&a, ip + 3 * ts, t.3, ps)
            quad(&a, ip + 4 * ts, t.4, ps)
        }

        /// One tap row of five taps for one pixel, taps clipped to [kx0, kx1).
        @inline(__always) func single5(_ a: V, _ ip: UnsafePointer<Float>, _ t: Taps5, _ kx0: Int, _ kx1: Int) -> V {
            var s: V = tap(a, ip, 0, t.0, kx0, kx1)
            s = tap(s, ip, 1, t.1, kx0, kx1)
            s = tap(s, ip, 2, t.2, kx0, kx1)
            s = tap(s, ip, 3, t.3, kx0, kx1)
            return tap(s, ip, 4, t.4, kx0, kx1)
        }

        func row5x5(cc: Int, packed: UnsafePointer<Float>, cpad: Int, out: UnsafeMutablePointer<Float>) {
            let p: UnsafePointer<Float> = packed + cc
            let t0: Taps5 = Self.taps5(p, cpad, 0), t1: Taps5 = Self.taps5(p, cpad, 1), t2: Taps5 = Self.taps5(p, cpad, 2)
            let t3: Taps5 = Self.taps5(p, cpad, 3), t4: Taps5 = Self.taps5(p, cpad, 4)
            let bias: V = V.load(p)
            let r0: Bool = ky.contains(0), r1: Bool = ky.contains(1), r2: Bool = ky.contains(2)
            let r3: Bool = ky.contains(3), r4: Bool = ky.contains(4)
            var ox: Int = 0
            while ox < ow {
                if ox >= from && ox + 4 <= to {
                    var a: Quad = (bias, bias, bias, bias)
                    if r0 { row5(&a, at(0, ox, cc), t0) }
                    if r1 { row5(&a, at(1, ox, cc), t1) }
                    if r2 { row5(&a, at(2, ox, cc), t2) }
                    if r3 { row5(&a, at(3, ox, cc), t3) }
                    if r4 { row5(&a, at(4, ox, cc), t4) }
                    store(a, out + ox * c + cc)
                    ox += 4
                } else {
                    let (kx0, kx1) = tapRange(ox * sw - pl, 5, dw, w)
                    var e: V = bias, o: V = V.zero
                    if r0 { e = single5(e, at(0, ox, cc), t0, kx0, kx1) }
                    if r1 { o = single5(o, at(1, ox, cc), t1, kx0, kx1) }
                    if r2 { e = single5(e, at(2, ox, cc), t2, kx0, kx1) }
                    if r3 { o = single5(o, at(3, ox, cc), t3, kx0, kx1) }
                    if r4 { e = single5(e, at(4, ox, cc), t4, kx0, kx1) }
                    clamp(e + o).store(out + ox * c + cc)
                    ox += 1
                }
            }
        }
    }
}
