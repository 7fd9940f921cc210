import IR

extension Div: BroadcastArithmeticKernel {
    public func apply<T: KernelFloat>(_ a: T, _ b: T) -> T { a / b }

    /// Truncates toward zero. `check` has ruled out b == 0; min / −1 overflows and wraps to min.
    public func apply<T: KernelInteger>(_ a: T, _ b: T) -> T {
        let (quotient, overflow) = a.dividedReportingOverflow(by: b)
        return overflow ? a : quotient
    }

    public func check(_ a: Tensor, _ b: Tensor) throws {
        guard b.elementType.isInteger, try b.integers().contains(0) else { return }
        throw KilnError("integer Div by zero: the divisor \(b.type) has a zero element")
    }
}
