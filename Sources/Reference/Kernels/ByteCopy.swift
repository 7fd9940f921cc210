import IR

/// Element copies that ignore what the elements mean: the data movement behind Transpose, Slice,
/// Expand, Pad, Concat and Gather, for every element type at once.
///
/// Elements move as 1-, 2-, 4- or 8-byte words chosen by the element size. Sources are read
/// unaligned, since a constant's bytes may live inside the protobuf message it was parsed from.
/// All offsets and strides count elements, not bytes.
enum ByteCopy {
    /// `dst[i] = src[base + Σ_d c_d · strides[d]]` for every coordinate `c` of `shape`, in row-major
    /// order. Strides may be 0 (broadcast) or negative (reversed slices).
    static func strided(from src: UnsafeRawBufferPointer, base: Int, strides: [Int], shape: [Int],
                        to dst: UnsafeMutableRawBufferPointer, elementSize size: Int) {
        let count = shape.reduce(1, *)
        guard count > 0, let s = src.baseAddress, let d = dst.baseAddress else { return }
        guard let inner = shape.last, let innerStride = strides.last else {
            d.copyMemory(from: s + base * size, byteCount: size)  // a scalar
            return
        }
        let outerRank = shape.count - 1
        var coord = [Int](repeating: 0, count: outerRank)
        var offset = base
        for row in 0..<(count / inner) {
            let from = s + offset * size, to = d + row * inner * size
            if innerStride == 1 {
                to.copyMemory(from: from, byteCount: inner * size)
            } else {
                copyRow(from: from, stride: innerStride, to: to, count: inner, elementSize: size)
            }
            var k = outerRank - 1
            while k >= 0 {
                coord[k] += 1
                offset += strides[k]
                if coord[k] < shape[k] { break }
                offset -= strides[k] * shape[k]
                coord[k] = 0
                k -= 1
            }
        }
    }

    /// `dst[j] = src[indices[j]]` for every j whose index is ≥ 0; other elements are left alone.
    static func gather(from src: UnsafeRawPointer, indices: [Int], to dst: UnsafeMutableRawPointer, elementSize size: Int) {
        func words<T>(_: T.Type) {
            for (j, i) in indices.enumerated() where i >= 0 {
                dst.storeBytes(of: src.loadUnaligned(fromByteOffset: i * size, as: T.self), toByteOffset: j * size, as: T.self)
            }
        }
        switch size {
        case 1: words(UInt8.self)
        case 2: words(UInt16.self)
        case 4: words(UInt32.self)
        case 8: words(UInt64.self)
        default:
            for (j, i) in indices.enumerated() where i >= 0 { (dst + j * size).copyMemory(from: src + i * size, byteCount: size) }
        }
    }

    /// Fills `dst` with copies of the one element in `element`.
    static func fill(_ dst: UnsafeMutableRawBufferPointer, with element: UnsafeRawBufferPointer) {
        let size = element.count
        guard size > 0, dst.count >= size, let d = dst.baseAddress, let e = element.baseAddress else { return }
        d.copyMemory(from: e, byteCount: size)
        // Double the filled prefix until the buffer is full.
        var filled = size
        while filled < dst.count {
            let chunk = min(filled, dst.count - filled)
            (d + filled).copyMemory(from: d, byteCount: chunk)
            filled += chunk
        }
    }

    /// `count` elements `stride` apart from `src` to consecutive places at `dst`.
    private static func copyRow(from src: UnsafeRawPointer, stride: Int, to dst: UnsafeMutableRawPointer,
                                count: Int, elementSize size: Int) {
        func words<T>(_: T.Type) {
            for j in 0..<count {
                dst.storeBytes(of: src.loadUnaligned(fromByteOffset: j * stride * size, as: T.self), toByteOffset: j * size, as: T.self)
            }
        }
        switch size {
        case 1: words(UInt8.self)
        case 2: words(UInt16.self)
        case 4: words(UInt32.self)
        case 8: words(UInt64.self)
        default:
            for j in 0..<count { (dst + j * size).copyMemory(from: src + j * stride * size, byteCount: size) }
        }
    }
}
