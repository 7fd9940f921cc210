// libFuzzer harness: the bytes as an ONNX model file, through everything `kiln inspect --optimized` does with a
// model: parse (libprotobuf-c), import (decoding, shape inference, constant folding under ResourceLimits), the
// standard pass pipeline, and the report's totals. Every failure must be a KilnError; anything else (a trap, an
// allocation abort, a sanitizer report) is a bug. scripts/fuzz.sh builds it with swiftc, not SwiftPM, because
// SwiftPM links executables with --defsym main=..., which would replace libFuzzer's main.
import Frontend
import IR
import Optimizer

#if canImport(Glibc)
import Glibc
#endif

/// One file per process, rewritten for every input (the importer reads models from paths, as the CLI does).
private let modelPath = "\(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp")/kiln-fuzz-onnx-\(getpid()).onnx"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = fopen(modelPath, "wb") else { return 0 }
    fwrite(data, 1, size, file)
    fclose(file)
    do {
        var graph = try ONNXImporter.load(path: modelPath).graph
        try Pipeline.run(Pipeline.standard(), on: &graph)
        let summary = GraphSummary(graph)
        _ = (summary.totalMACs, summary.parameterBytes, summary.activationBytes)
    } catch is KilnError {
        // The expected outcome for almost every input.
    } catch {
        fatalError("an error that is not a KilnError: \(error)")
    }
    return 0
}
