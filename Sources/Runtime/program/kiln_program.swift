// The fixed Swift of every program `kiln compile --backend swift` builds: the entry point kiln_main.c
// calls, and the trace writer. The generated model.swift supplies `kilnModelBody` (every node's
// function, in graph order, with a barrier between nodes) and `KilnTarget` (the target's vector); the
// kernels are Sources/SwiftKernels; main, input decoding, top-K, weight mapping and the thread pool
// (kiln_pool.c) are the C runtime.

/// The memory every node function reads and writes: the caller's input and output, the static
/// arena of intermediates, the kernels' scratch, and the packed weights.
struct KilnBuffers {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let arena: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let weights: UnsafePointer<Float>
}

/// The buffers of a run's part `t`: the caller's first input and output (the Swift backend compiles
/// models with one float32 input and output; kilnModelRun checked them), the arena, scratch and weights.
func kilnBuffers(_ t: UnsafePointer<kiln_task>) -> KilnBuffers {
    KilnBuffers(input: t.pointee.inputs[0]!.assumingMemoryBound(to: Float.self),
                output: t.pointee.outputs[0]!.assumingMemoryBound(to: Float.self),
                arena: kiln_swift_arena(), scratch: kiln_swift_scratch(), weights: kiln_swift_weights())
}

/// A part of the pool's run (kiln_task.h) is the kernels' task: its part forms split by it and meet at
/// its barrier, kiln_sync.
extension UnsafePointer: KilnTask where Pointee == kiln_task {
    public var part: Int { pointee.part }
    public var parts: Int { pointee.parts }
    public func sync() { kiln_sync(self) }
    public var scratch: UnsafeMutablePointer<Float>? { pointee.scratch }
}

/// `int kiln_model_run(const void *const inputs[], void *const outputs[])` (model.h): runs the model
/// as one parallel run of `kilnModelBody` on the pool's threads. Not reentrant (one static arena).
/// Returns 0, or 2 without an input or output buffer.
@_cdecl("kiln_model_run")
func kilnModelRun(_ inputs: UnsafePointer<UnsafeRawPointer?>, _ outputs: UnsafePointer<UnsafeMutableRawPointer?>) -> Int32 {
    guard inputs[0] != nil, outputs[0] != nil else { return 2 }
    kiln_parallel({ kilnModelBody($0!) }, inputs, outputs)
    return 0
}

#if KILN_TRACE
/// Trace builds: node `node`'s result, `rank` dimensions of `dims` (the rest 0), to
/// $KILN_TRACE_DIR/NNN.npy through the C runtime, written by part 0 between two barriers (the node's
/// parts are done; the next node's do not overwrite it yet), as kiln_program.h's KILN_TRACE_NODE.
func kilnTrace(_ t: UnsafePointer<kiln_task>, _ node: Int32, _ data: UnsafePointer<Float>, _ rank: Int32,
               _ dims: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)) {
    t.sync()
    if t.part == 0 {
        var shape = dims
        withUnsafePointer(to: &shape) { pointer in
            pointer.withMemoryRebound(to: Int64.self, capacity: 8) { kiln_trace(node, data, $0, rank) }
        }
    }
    t.sync()
}
#endif
