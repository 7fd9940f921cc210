import IR

extension Exp: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { T.exponential(x) }
}
