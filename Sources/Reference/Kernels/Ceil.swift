import IR

extension Ceil: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { x.rounded(.up) }
}
