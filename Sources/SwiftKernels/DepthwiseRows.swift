extension KilnKernels {
    /// The interior of one output row of a 3×3 or 5×5 depthwise conv whose kh input rows are all
    /// inside: one channel vector at a time, its weights in registers (named: Swift keeps no array
    /// in registers), four pixels at a time with no bounds checks, then single pixels. Results are
    /// clamped as they are stored; other activations the caller runs over the finished row.
    struct DepthwiseRow {
        typealias Quad = (V, V, V, V)
        typealias Taps3 = (V, V, V)
        typealias Taps5 = (V, V, V, V, V)

        let input: UnsafePointer<Float>
        let iy0: Int, rowStride: Int, c: Int, sw: Int, dw: Int, dh: Int, pl: Int
        /// The clamp activation's bounds (±infinity for none or a non-clamp activation).
        let lo: V, hi: V

        @inline(__always) func clamp(_ x: V) -> V { V.min(V.max(x, lo), hi) }

        /// The input at tap row `ky`, first tap of output column `ox`, channel `cc`.
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

        /// One tap row of three taps for four pixels.
        @inline(__always) func row3(_ a: inout Quad, _ ip: UnsafePointer<Float>, _ t: Taps3) {
            let ps: Int = sw * c, ts: Int = dw * c
            quad(&a, ip + 0 * ts, t.0, ps)
            quad(&a, ip + 1 * ts, t.1, ps)
            quad(&a, ip + 2 * ts, t.2, ps)
        }

        func interior3x3(cc: Int, from: Int, to: Int, packed: UnsafePointer<Float>, cpad: Int,
                         out: UnsafeMutablePointer<Float>) {
            let p: UnsafePointer<Float> = packed + cc
            let t0: Taps3 = Self.taps3(p, cpad, 0), t1: Taps3 = Self.taps3(p, cpad, 1), t2: Taps3 = Self.taps3(p, cpad, 2)
            let bias: V = V.load(p)
            let ts: Int = dw * c
            var ox: Int = from
            while ox + 4 <= to {
                var a: Quad = (bias, bias, bias, bias)
                row3(&a, at(0, ox, cc), t0)
                row3(&a, at(1, ox, cc), t1)
                row3(&a, at(2, ox, cc), t2)
                store(a, out + ox * c + cc)
                ox += 4
            }
            while ox < to {
                // Two accumulator chains (even and odd tap rows) halve the FMA latency chain.
                let r0: UnsafePointer<Float> = at(0, ox, cc), r1: UnsafePointer<Float> = at(1, ox, cc), r2: UnsafePointer<Float> = at(2, ox, cc)
                var e: V = V.fma(V.load(r0), t0.0, bias)
                e = V.fma(V.load(r0 + ts), t0.1, e)
                e = V.fma(V.load(r0 + 2 * ts), t0.2, e)
                e = V.fma(V.load(r2), t2.0, e)
                e = V.fma(V.load(r2 + ts), t2.1, e)
                e = V.fma(V.load(r2 + 2 * ts), t2.2, e)
                var o: V = V.load(r1) * t1.0
                o = V.fma(V.load(r1 + ts), t1.1, o)
                o = V.fma(V.load(r1 + 2 * ts), t1.2, o)
                clamp(e + o).store(out + ox * c + cc)
                ox += 1
            }
        }

        /// One tap row of five taps for four pixels.
        @inline(__always) func row5(_ a: inout Quad, _ ip: UnsafePointer<Float>, _ t: Taps5) {
            let ps: Int = sw * c, ts: Int = dw * c
            quad(&a, ip + 0 * ts, t.0, ps)
            quad(&a, ip + 1 * ts, t.1, ps)
            quad(&a, ip + 2 * ts, t.2, ps)
            quad(&a, ip + 3 * ts, t.3, ps)
            quad(&a, ip + 4 * ts, t.4, ps)
        }

        /// One tap row of five taps for one pixel.
        @inline(__always) func single5(_ a: V, _ ip: UnsafePointer<Float>, _ t: Taps5) -> V {
            let ts: Int = dw * c
            var s: V = V.fma(V.load(ip), t.0, a)
            s = V.fma(V.load(ip + ts), t.1, s)
            s = V.fma(V.load(ip + 2 * ts), t.2, s)
            s = V.fma(V.load(ip + 3 * ts), t.3, s)
            return V.fma(V.load(ip + 4 * ts), t.4, s)
        }

        func interior5x5(cc: Int, from: Int, to: Int, packed: UnsafePointer<Float>, cpad: Int,
                         out: UnsafeMutablePointer<Float>) {
            let p: UnsafePointer<Float> = packed + cc
            let t0: Taps5 = Self.taps5(p, cpad, 0), t1: Taps5 = Self.taps5(p, cpad, 1), t2: Taps5 = Self.taps5(p, cpad, 2)
            let t3: Taps5 = Self.taps5(p, cpad, 3), t4: Taps5 = Self.taps5(p, cpad, 4)
            let bias: V = V.load(p)
            var ox: Int = from
            while ox + 4 <= to {
                var a: Quad = (bias, bias, bias, bias)
                row5(&a, at(0, ox, cc), t0)
                row5(&a, at(1, ox, cc), t1)
                row5(&a, at(2, ox, cc), t2)
                row5(&a, at(3, ox, cc), t3)
                row5(&a, at(4, ox, cc), t4)
                store(a, out + ox * c + cc)
                ox += 4
            }
            while ox < to {
                var e: V = single5(bias, at(0, ox, cc), t0)
                e = single5(e, at(2, ox, cc), t2)
                e = single5(e, at(4, ox, cc), t4)
                var o: V = single5(V.zero, at(1, ox, cc), t1)
                o = single5(o, at(3, ox, cc), t3)
                clamp(e + o).store(out + ox * c + cc)
                ox += 1
            }
        }
    }
}
