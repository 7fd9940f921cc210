import IR

extension HardSigmoid: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { Kernel.clampToUnit(T(alpha) * x + T(beta)) }
}

extension Kernel {
    /// `v` limited to [0, 1]; NaN stays NaN (where `max(0, min(1, v))` would give 1).
    @inline(__always)
    static func clampToUnit<T: KernelFloat>(_ v: T) -> T { v < 0 ? 0 : (v > 1 ? 1 : v) }
}
