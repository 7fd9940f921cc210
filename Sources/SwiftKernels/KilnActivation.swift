/// An activation with its two parameters, the Swift twin of `kiln_act` (kiln_kernels_layout.h).
/// Generated code passes `.silu`, `.hardSigmoid(0.2, 0.5)`, `.clip(0.0, 6.0)`…; epilogues apply it
/// after the bias and before a residual.
public struct KilnActivation {
    public enum Kind: UInt8 {
        case none, relu, relu6, silu, hardSwish, sigmoid, hardSigmoid, clip
    }

    public var kind: Kind
    /// HardSigmoid's alpha and beta, Clip's min and max; unused otherwise.
    public var a: Float
    public var b: Float

    @inline(__always) public init(_ kind: Kind, _ a: Float = 0, _ b: Float = 0) {
        self.kind = kind
        self.a = a
        self.b = b
    }

    public static var none: KilnActivation { KilnActivation(.none) }
    public static var relu: KilnActivation { KilnActivation(.relu) }
    public static var relu6: KilnActivation { KilnActivation(.relu6) }
    public static var silu: KilnActivation { KilnActivation(.silu) }
    public static var hardSwish: KilnActivation { KilnActivation(.hardSwish) }
    public static var sigmoid: KilnActivation { KilnActivation(.sigmoid) }
    /// max(0, min(1, alpha·x + beta)).
    public static func hardSigmoid(_ alpha: Float, _ beta: Float) -> KilnActivation { KilnActivation(.hardSigmoid, alpha, beta) }
    /// min(max(x, lo), hi).
    public static func clip(_ lo: Float, _ hi: Float) -> KilnActivation { KilnActivation(.clip, lo, hi) }
}

extension KilnActivation {
    /// Whether the activation is a clamp to [lower, upper] (none, ReLU, ReLU6, Clip), which kernels
    /// apply as they store (two instructions); the others run over the stored results (`run`).
    @inline(__always) public var isClamp: Bool { kind == .none || kind == .relu || kind == .relu6 || kind == .clip }
    @inline(__always) public var lower: Float {
        switch kind {
        case .relu, .relu6: 0
        case .clip: a
        default: -Float.infinity
        }
    }
    @inline(__always) public var upper: Float {
        switch kind {
        case .relu6: 6
        case .clip: b
        default: Float.infinity
        }
    }

    /// out[i] = act(in[i]) (+ r[i]) for i < n, with the switch on the kind outside the loops: the
    /// kernels store raw sums and run this over what they wrote (a tile, an output row) while it is
    /// in L1, so each activation's code exists once, in a loop of its own. The loops are generic over
    /// the activation's type, not closures: a closure stayed a call per vector (tv_b0 25 → 50 ms).
    @inline(never)
    public func run<V: KilnVector>(_: V.Type, n: Int, input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                   residual r: UnsafePointer<Float>?) {
        let a: V = V.splat(self.a), b: V = V.splat(self.b)
        switch kind {
        case .none: Self.map(Identity.self, n, input, out, r, a, b)
        case .relu: Self.map(ReLU.self, n, input, out, r, a, b)
        case .relu6: Self.map(ReLU6.self, n, input, out, r, a, b)
        case .silu: Self.map(SiLU.self, n, input, out, r, a, b)
        case .hardSwish: Self.map(HardSwish.self, n, input, out, r, a, b)
        case .sigmoid: Self.map(Sigmoid.self, n, input, out, r, a, b)
        case .hardSigmoid: Self.map(HardSigmoid.self, n, input, out, r, a, b)
        case .clip: Self.map(Clip.self, n, input, out, r, a, b)
        }
    }

    @inline(__always)
    static func map<F: KilnActivationFunction, V: KilnVector>(_: F.Type, _ n: Int, _ input: UnsafePointer<Float>,
                                                             _ out: UnsafeMutablePointer<Float>, _ r: UnsafePointer<Float>?,
                                                             _ a: V, _ b: V) {
        var i: Int = 0
        if let r {
            while i + V.lanes <= n {
                (F.apply(V.load(input + i), a, b) + V.load(r + i)).store(out + i)
                i += V.lanes
            }
            if i < n { (F.apply(V.load(input + i, count: n - i), a, b) + V.load(r + i, count: n - i)).store(out + i, count: n - i) }
        } else {
            while i + V.lanes <= n {
                F.apply(V.load(input + i), a, b).store(out + i)
                i += V.lanes
            }
            if i < n { F.apply(V.load(input + i, count: n - i), a, b).store(out + i, count: n - i) }
        }
    }
}

/// One activation as a type, so that loops over it are specialized with its code inlined.
protocol KilnActivationFunction {
    /// act(x) with the activation's two parameters splatted (`a`, `b`: HardSigmoid's alpha and beta,
    /// Clip's bounds).
    static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V
}

enum Identity: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V { x }
}

enum ReLU: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V { V.max(x, V.zero) }
}

enum ReLU6: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V { V.min(V.max(x, V.zero), V.splat(6)) }
}

enum SiLU: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V { x * V.sigmoid(x) }
}

/// x · min(max(x + 3, 0), 6) / 6.
enum HardSwish: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V {
        x * (V.min(V.max(x + V.splat(3), V.zero), V.splat(6)) * V.splat(1.0 / 6.0))
    }
}

enum Sigmoid: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V { V.sigmoid(x) }
}

/// max(0, min(1, a·x + b)).
enum HardSigmoid: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V { V.max(V.zero, V.min(V.splat(1), V.fma(a, x, b))) }
}

/// min(max(x, a), b).
enum Clip: KilnActivationFunction {
    @_transparent static func apply<V: KilnVector>(_ x: V, _ a: V, _ b: V) -> V { V.min(V.max(x, a), b) }
}
