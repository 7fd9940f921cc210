import IR

extension Erf: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { T.errorFunction(x) }
}
