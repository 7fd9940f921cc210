// The small vector vocabulary every Swift kernel is written in, the Swift twin of kiln_kernels_vec.h.
//
// A kernel is generic over `KilnVector` and is specialized for one of three conformances, which is
// how the target picks the vector width: `SIMD16<Float>` (AVX-512, one zmm register), `SIMD8<Float>`
// (AVX2, one ymm) and `Float` (generic: one lane, plain loops the compiler may vectorize). The
// generated program names the one it uses (`typealias KilnTarget = …` in model.swift). Loads and
// stores are unaligned; nothing here allocates, so the kernels build as Embedded Swift.

/// Floats per packed weight panel (`KILN_PANEL`): a multiple of every vector width.
public let kilnPanel = 16

public protocol KilnVector {
    /// Floats per vector.
    static var lanes: Int { get }
    static func load(_ p: UnsafePointer<Float>) -> Self
    func store(_ p: UnsafeMutablePointer<Float>)
    static func splat(_ x: Float) -> Self
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    /// a · b + c.
    static func fma(_ a: Self, _ b: Self, _ c: Self) -> Self
    static func max(_ a: Self, _ b: Self) -> Self
    static func min(_ a: Self, _ b: Self) -> Self
    var magnitude: Self { get }
    /// Lanes where `s < 0` take `a`, the others `b`.
    static func selectNegative(_ s: Self, _ a: Self, _ b: Self) -> Self
    /// 2^n for `t = n + 1.5·2^23` (see `expNonPositive`): the float bits shifted into the exponent.
    static func pow2(ofMagic t: Self) -> Self
    /// The sum of the lanes.
    var lanesSum: Float { get }
}

extension KilnVector {
    @inline(__always) public static var zero: Self { splat(0) }

    /// The first `n` lanes (1 ≤ n ≤ lanes); the others read as 0. For remainders only.
    @inline(__always) public static func load(_ p: UnsafePointer<Float>, count n: Int) -> Self {
        if n >= lanes { return load(p) }
        var buffer = (Self.zero, Self.zero)
        return withUnsafeMutableBytes(of: &buffer) { raw in
            let f = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: Float.self)
            for i in 0..<n { f[i] = p[i] }
            return load(UnsafePointer(f))
        }
    }

    /// Writes the first `n` lanes (1 ≤ n ≤ lanes). For remainders only.
    @inline(__always) public func store(_ p: UnsafeMutablePointer<Float>, count n: Int) {
        if n >= Self.lanes { return store(p) }
        var buffer = (self, self)
        withUnsafeMutableBytes(of: &buffer) { raw in
            let f = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: Float.self)
            for i in 0..<n { p[i] = f[i] }
        }
    }

    /// exp(s·x) for x in [−87, 87] and s = ±log2(e): s·x = n + f with n rounded by adding 1.5·2^23
    /// (whose bits then hold n, see `pow2(ofMagic:)`) and f from x by one fma, 2^f by a degree-5
    /// polynomial — the C library's `kiln_v_exp_scaled_`.
    @inline(__always) public static func expScaled(_ x: Self, _ s: Float) -> Self {
        let magic: Self = splat(12582912.0)
        let t: Self = fma(x, splat(s), magic)
        let n: Self = t - magic
        let f: Self = fma(x, splat(s), zero - n)
        var p: Self = splat(1.326472614891827e-3)
        p = fma(p, f, splat(9.671512991189957e-3))
        p = fma(p, f, splat(5.550733581185341e-2))
        p = fma(p, f, splat(2.4022242426872253e-1))
        p = fma(p, f, splat(6.931470036506653e-1))
        p = fma(p, f, splat(1.0))
        return p * pow2(ofMagic: t)
    }

    /// exp(x) for x ≤ 0 (below −87 as −87) — the C library's `kiln_v_exp_nonpos`.
    @inline(__always) public static func expNonPositive(_ v: Self) -> Self {
        expScaled(max(v, splat(-87.0)), 1.44269504088896341)
    }

    /// 1 / (1 + exp(−x)) with x clamped to [−87, 87], so nothing overflows — the C `kiln_v_sigmoid`.
    @inline(__always) public static func sigmoid(_ x: Self) -> Self {
        let e: Self = expScaled(min(max(x, splat(-87.0)), splat(87.0)), -1.44269504088896341)
        return splat(1.0) / (splat(1.0) + e)
    }
}

/// The SIMD targets: `SIMD16<Float>` (AVX-512) and `SIMD8<Float>` (AVX2). Bit operations go
/// through the mask storage (`Int32` lanes of the same width).
extension KilnVector where Self: SIMD, Scalar == Float {
    @inline(__always) public static var lanes: Int { scalarCount }
    @inline(__always) public static func load(_ p: UnsafePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always) public func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
    @inline(__always) public static func splat(_ x: Float) -> Self { Self(repeating: x) }
    @inline(__always) public static func fma(_ a: Self, _ b: Self, _ c: Self) -> Self { c.addingProduct(a, b) }
    /// Through the sign of a − b (`selectNegative`): `pointwiseMax`/`pointwiseMin` are loops over the
    /// lanes that LLVM vectorizes in small loops but not in a GEMM tile's epilogue, where they became
    /// a call with per-lane code (lite0 23 → 71 ms). Differs only for NaN (and ∞ − ∞) operands.
    @inline(__always) public static func max(_ a: Self, _ b: Self) -> Self { selectNegative(a - b, b, a) }
    @inline(__always) public static func min(_ a: Self, _ b: Self) -> Self { selectNegative(a - b, a, b) }
    @inline(__always) public var magnitude: Self { Self.fromBits(bits & MaskStorage(repeating: 0x7fff_ffff)) }
    /// The sign bit spread over each lane by an arithmetic shift picks the lanes: a comparison
    /// (`s .< 0` and `replacing(with:where:)`) compiles to a loop over the lanes instead.
    @inline(__always) public static func selectNegative(_ s: Self, _ a: Self, _ b: Self) -> Self {
        let negative: MaskStorage = s.bits &>> 31
        return fromBits((a.bits & negative) | (b.bits & ~negative))
    }
    @inline(__always) public static func pow2(ofMagic t: Self) -> Self {
        fromBits((t.bits &<< 23) &+ MaskStorage(repeating: 0x3f80_0000))
    }
    @inline(__always) public var lanesSum: Float { self.sum() }
    @inline(__always) var bits: MaskStorage { unsafeBitCast(self, to: MaskStorage.self) }
    @inline(__always) static func fromBits(_ bits: MaskStorage) -> Self { unsafeBitCast(bits, to: Self.self) }
}

extension SIMD16: KilnVector where Scalar == Float {}
extension SIMD8: KilnVector where Scalar == Float {}

/// The generic target: one lane.
extension Float: KilnVector {
    @inline(__always) public static var lanes: Int { 1 }
    @inline(__always) public static func load(_ p: UnsafePointer<Float>) -> Float { p.pointee }
    @inline(__always) public func store(_ p: UnsafeMutablePointer<Float>) { p.pointee = self }
    @inline(__always) public static func splat(_ x: Float) -> Float { x }
    @inline(__always) public static func fma(_ a: Float, _ b: Float, _ c: Float) -> Float { a * b + c }
    @inline(__always) public static func max(_ a: Float, _ b: Float) -> Float { a > b ? a : b }
    @inline(__always) public static func min(_ a: Float, _ b: Float) -> Float { a < b ? a : b }
    @inline(__always) public static func selectNegative(_ s: Float, _ a: Float, _ b: Float) -> Float { s < 0 ? a : b }
    @inline(__always) public static func pow2(ofMagic t: Float) -> Float { Float(bitPattern: (t.bitPattern &<< 23) &+ 0x3f80_0000) }
    @inline(__always) public var lanesSum: Float { self }
}
