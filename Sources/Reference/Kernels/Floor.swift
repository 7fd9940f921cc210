import IR

extension Floor: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { x.rounded(.down) }
}
