// The fixed Swift of every program `kiln compile --backend swift` builds: the entry point kiln_main.c
// calls, and the trace writer. The generated model.swift supplies `kilnRunModel` (every node's
// function, in graph order) and `KilnTarget` (the target's vector); the kernels are
// Sources/SwiftKernels; main, input decoding, top-K and weight mapping are the C runtime.

/// The memory every node function reads and writes: the caller's input and output, the static
/// arena of intermediates, the kernels' scratch, and the packed weights.
struct KilnBuffers {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let arena: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let weights: UnsafePointer<Float>
}

/// The buffers of one run: the caller's first input and output (the Swift backend compiles models
/// with one float32 input and output), the arena, scratch and weights; nil for missing pointers.
func kilnBuffers(_ inputs: UnsafePointer<UnsafeRawPointer?>, _ outputs: UnsafePointer<UnsafeMutableRawPointer?>) -> KilnBuffers? {
    guard let input = inputs[0], let output = outputs[0] else { return nil }
    return KilnBuffers(input: input.assumingMemoryBound(to: Float.self), output: output.assumingMemoryBound(to: Float.self),
                       arena: kiln_swift_arena(), scratch: kiln_swift_scratch(), weights: kiln_swift_weights())
}

/// `int kiln_model_run(const void *const inputs[], void *const outputs[])` (model.h): runs the model.
/// Not reentrant (one static arena). Returns 0, or 2 without an input or output buffer.
@_cdecl("kiln_model_run")
func kilnModelRun(_ inputs: UnsafePointer<UnsafeRawPointer?>, _ outputs: UnsafePointer<UnsafeMutableRawPointer?>) -> Int32 {
    guard let buffers = kilnBuffers(inputs, outputs) else { return 2 }
    kilnRunModel(buffers)
    return 0
}

#if KILN_TRACE
/// Trace builds: node `node`'s result, `rank` dimensions of `dims` (the rest 0), to
/// $KILN_TRACE_DIR/NNN.npy through the C runtime.
func kilnTrace(_ node: Int32, _ data: UnsafePointer<Float>, _ rank: Int32,
               _ dims: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)) {
    var shape = dims
    withUnsafePointer(to: &shape) { pointer in
        pointer.withMemoryRebound(to: Int64.self, capacity: 8) { kiln_trace(node, data, $0, rank) }
    }
}
#endif
