import IR
import KilnKernels

/// The packed weights of a program: each tensor packed for the kernel that reads it (by the kernel
/// library's own `kiln_pack_*` functions, so packing and kernels cannot disagree), at 64-byte
/// aligned offsets. A packing identical to one already in the blob is not stored again: the nodes
/// `split-batch` makes one per image share their weights, and a program of N images is no larger
/// than one of one.
struct WeightsBlob {
    private(set) var floats: [Float] = []
    /// The offsets and sizes of the packings stored so far, by a hash of their bits.
    private var stored: [Int: [(offset: Int, count: Int)]] = [:]

    /// Appends `count` floats written by `fill`; returns their offset in floats (an earlier one when the
    /// same floats, bit for bit, are already stored).
    mutating func append(count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> Int {
        while floats.count % 16 != 0 { floats.append(0) }
        let offset = floats.count
        floats.append(contentsOf: repeatElement(0, count: count))
        floats.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { fill(base + offset) }
        }
        let (key, earlier) = floats.withUnsafeBytes { all -> (Int, Int?) in
            let bytes = { (start: Int) in UnsafeRawBufferPointer(rebasing: all[(4 * start)..<(4 * (start + count))]) }
            var hasher = Hasher()
            hasher.combine(bytes: bytes(offset))
            let key = hasher.finalize()
            let same = stored[key, default: []].first { $0.count == count && bytes($0.offset).elementsEqual(bytes(offset)) }
            return (key, same?.offset)
        }
        if let earlier {
            floats.removeSubrange(offset...)
            return earlier
        }
        stored[key, default: []].append((offset, count))
        return offset
    }

    /// A GEMM weight W[k][n] read as w[kk·strideK + nn·strideN], with bias.
    mutating func gemm(k: Int, n: Int, weights: Tensor, strideK: Int, strideN: Int, bias: Tensor?) -> Int {
        append(count: kiln_pack_gemm_f32_floats(k, n)) { out in
            kiln_pack_gemm_f32(k, n, weights.floats.baseAddress, strideK, strideN, bias?.floats.baseAddress, out)
        }
    }

    /// A depthwise weight [C][1][KH][KW] with bias.
    mutating func depthwise(c: Int, kh: Int, kw: Int, weights: Tensor, bias: Tensor?) -> Int {
        append(count: kiln_pack_dwconv_f32_floats(c, kh, kw)) { out in
            kiln_pack_dwconv_f32(c, kh, kw, weights.floats.baseAddress, bias?.floats.baseAddress, out)
        }
    }

    /// A direct-conv weight [Cout][Cin][KH][KW] (groups 1) with bias.
    mutating func direct(cout: Int, cin: Int, kh: Int, kw: Int, weights: Tensor, bias: Tensor?) -> Int {
        append(count: kiln_pack_conv_f32_floats(cout, cin, kh, kw)) { out in
            kiln_pack_conv_f32(cout, cin, kh, kw, weights.floats.baseAddress, bias?.floats.baseAddress, out)
        }
    }

    /// A tensor of any element type as it is (the generic conv's OIHW weights, its bias; constant
    /// operands of the generic kernels), padded to whole floats.
    mutating func raw(_ tensor: Tensor) -> Int {
        let bytes = tensor.storage.bytes
        return append(count: (bytes.count + 3) / 4) { out in
            if let base = bytes.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    var bytes: [UInt8] { floats.withUnsafeBytes { Array($0) } }
}
