/// An activation function a fused operator applies to its result. Printed as a string attribute:
/// `none`, `relu`, `relu6`, `silu`, `hardswish`, `sigmoid`, `hardsigmoid(alpha,beta)`, `clip(min,max)`.
///
///     relu(x) = max(x, 0)            relu6(x) = min(max(x, 0), 6)       silu(x) = x · σ(x)
///     sigmoid(x) = σ(x) = 1/(1+e⁻ˣ)   hardsigmoid(x) = max(0, min(1, αx + β))
///     hardswish(x) = x · max(0, min(1, x/6 + 1/2))                      clip(x) = min(max(x, lo), hi)
public enum Activation: Sendable, Hashable, CustomStringConvertible {
    case none, relu, relu6, silu, hardSwish, sigmoid
    case hardSigmoid(alpha: Float, beta: Float)
    case clip(min: Float, max: Float)

    public var description: String {
        switch self {
        case .none: "none"
        case .relu: "relu"
        case .relu6: "relu6"
        case .silu: "silu"
        case .hardSwish: "hardswish"
        case .sigmoid: "sigmoid"
        case .hardSigmoid(let a, let b): "hardsigmoid(\(formatFloat(a)),\(formatFloat(b)))"
        case .clip(let lo, let hi): "clip(\(formatFloat(lo)),\(formatFloat(hi)))"
        }
    }

    public init(parsing text: String) throws {
        switch text {
        case "none": self = .none
        case "relu": self = .relu
        case "relu6": self = .relu6
        case "silu": self = .silu
        case "hardswish": self = .hardSwish
        case "sigmoid": self = .sigmoid
        default:
            let parts = text.split(whereSeparator: { "(),".contains($0) }).map(String.init)
            guard parts.count == 3, let a = Float(parts[1]), let b = Float(parts[2]) else {
                throw KilnError("unknown activation '\(text)'")
            }
            switch parts[0] {
            case "hardsigmoid": self = .hardSigmoid(alpha: a, beta: b)
            case "clip": self = .clip(min: a, max: b)
            default: throw KilnError("unknown activation '\(text)'")
            }
        }
    }

    /// Reads the activation stored under `name` (absent means `none`).
    public static func attribute(_ attributes: Attributes, _ name: String) throws -> Activation {
        try attributes.string(name).map(Activation.init(parsing:)) ?? .none
    }
}

extension Activation {
    /// The activation a standalone single-input operator computes, nil for any other operator: Relu,
    /// Relu6, SiLU, HardSwish, Sigmoid, HardSigmoid, and Clip (Clip(0, 6) reads as relu6, Clip(0, ∞)
    /// as relu, a missing bound as ∓∞). Fusion and kernel selection both ask here.
    public static func computed(by op: any Operator) -> Activation? {
        switch op {
        case is Relu: .relu
        case is Relu6: .relu6
        case is SiLU: .silu
        case is HardSwish: .hardSwish
        case is Sigmoid: .sigmoid
        case let h as HardSigmoid: .hardSigmoid(alpha: h.alpha, beta: h.beta)
        case let c as Clip:
            switch (c.min, c.max) {
            case (0?, 6?): .relu6
            case (0?, nil): .relu
            case let (lo, hi): .clip(min: lo ?? -.infinity, max: hi ?? .infinity)
            }
        default: nil
        }
    }
}
