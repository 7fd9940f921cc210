import IR

extension HardSwish: FloatMapKernel {
    public func apply<T: KernelFloat>(_ x: T) -> T { x * Kernel.clampToUnit(x / 6 + 0.5) }
}
