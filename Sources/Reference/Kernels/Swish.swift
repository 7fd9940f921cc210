import IR

extension Swish: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { x / (1 + T.exponential(-T(alpha) * x)) }
}
