/// The instruction set the kernel library is compiled for. It decides the vector width the cost
/// estimates assume; every kernel exists for every ISA (the portable build is plain C11).
public enum ISA: String, Sendable, CaseIterable {
    case avx512
    case avx2
    /// Portable C11. The kernels' vectors become single floats, which the C compiler vectorizes for
    /// the baseline x86-64 SSE (4 lanes) where it can; the cost model assumes those 4 lanes.
    case generic

    /// Floats per vector register.
    public var vectorWidth: Int {
        switch self {
        case .avx512: 16
        case .avx2: 8
        case .generic: 4
        }
    }
}
