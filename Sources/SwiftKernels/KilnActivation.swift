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

    /// act(x) on a vector.
    @inline(__always) public func apply<V: KilnVector>(_ x: V) -> V {
        switch kind {
        case .none: return x
        case .relu: return V.max(x, V.zero)
        case .relu6: return V.min(V.max(x, V.zero), V.splat(6))
        case .silu: return x * V.sigmoid(x)
        case .hardSwish:
            let t: V = V.min(V.max(x + V.splat(3), V.zero), V.splat(6))
            return x * (t * V.splat(1.0 / 6.0))
        case .sigmoid: return V.sigmoid(x)
        case .hardSigmoid: return V.max(V.zero, V.min(V.splat(1), V.fma(V.splat(a), x, V.splat(b))))
        case .clip: return V.min(V.max(x, V.splat(a)), V.splat(b))
        }
    }
}
