import Foundation
import IR

extension Activation {
    /// The activation's formula on one value (see `Activation`'s doc comment).
    @inlinable
    public func apply(_ x: Float) -> Float {
        switch self {
        case .none: return x
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case .silu: return x / (1 + exp(-x))
        case .hardSwish: return x * max(0, min(1, x / 6 + 0.5))
        case .sigmoid: return 1 / (1 + exp(-x))
        case .hardSigmoid(let alpha, let beta): return max(0, min(1, alpha * x + beta))
        case .clip(let lo, let hi): return min(max(x, lo), hi)
        }
    }
}
