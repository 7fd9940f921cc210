/// A shape or element strides of `copy_strided`: the C library's `kiln_dims` and `kiln_strides`, six
/// dimensions (`KILN_MAX_RANK`), right-aligned (unused leading dimensions have extent 1).
public typealias KilnDims = (Int, Int, Int, Int, Int, Int)

/// Dimension `d` of a shape or strides.
@inline(__always)
func kilnDimension(_ dims: KilnDims, _ d: Int) -> Int {
    switch d {
    case 0: dims.0
    case 1: dims.1
    case 2: dims.2
    case 3: dims.3
    case 4: dims.4
    default: dims.5
    }
}

/// The shape or strides with dimension `d` set to `value`.
@inline(__always)
func kilnSetting(_ dims: KilnDims, _ d: Int, _ value: Int) -> KilnDims {
    var copy: KilnDims = dims
    switch d {
    case 0: copy.0 = value
    case 1: copy.1 = value
    case 2: copy.2 = value
    case 3: copy.3 = value
    case 4: copy.4 = value
    default: copy.5 = value
    }
    return copy
}

extension KilnKernels {
    /// Copies element i of `shape` from in[in_at + Σ i_d·is_d] to out[out_at + Σ i_d·os_d], elements of `size`
    /// bytes: reshapes, Transpose, Slice (a strided window), Expand (0 strides), Concat (one call per input);
    /// `kiln_copy_strided`. Rows contiguous on both sides are copied whole.
    @inline(never)
    public static func copy_strided(size: Int, shape: KilnDims, in input: UnsafeRawPointer, in_at: Int, is inStrides: KilnDims,
                                    out: UnsafeMutableRawPointer, out_at: Int, os outStrides: KilnDims) {
        let x: UnsafeRawPointer = input + in_at * size
        let y: UnsafeMutableRawPointer = out + out_at * size
        let contiguous: Bool = inStrides.5 == 1 && outStrides.5 == 1
        for i0 in 0..<shape.0 {
            for i1 in 0..<shape.1 {
                for i2 in 0..<shape.2 {
                    for i3 in 0..<shape.3 {
                        for i4 in 0..<shape.4 {
                            let from: Int = i0 * inStrides.0 + i1 * inStrides.1 + i2 * inStrides.2 + i3 * inStrides.3 + i4 * inStrides.4
                            let to: Int = i0 * outStrides.0 + i1 * outStrides.1 + i2 * outStrides.2 + i3 * outStrides.3 + i4 * outStrides.4
                            if contiguous {
                                (y + to * size).copyMemory(from: x + from * size, byteCount: shape.5 * size)
                                continue
                            }
                            for i5 in 0..<shape.5 {
                                (y + (to + i5 * outStrides.5) * size).copyMemory(from: x + (from + i5 * inStrides.5) * size, byteCount: size)
                            }
                        }
                    }
                }
            }
        }
    }
}
