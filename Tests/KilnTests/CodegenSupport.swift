import Codegen
import Foundation
import Frontend
import IR
import KilnRuntime
import Optimizer

/// One way of building a program: which model, instruction set, compiler and options.
struct BuildConfig: Hashable, CustomStringConvertible, Sendable {
    var model: String
    var target: Codegen.Target = .native
    var compiler = "gcc"
    var weights: WeightsMode = .embed
    var preprocess = "imagenet"
    var labels = false
    var backend: BackendKind = .c
    /// `--batch`: the model re-batched at import.
    var batch: Int?

    var description: String {
        "\(model) \(target.rawValue) \(compiler)" + (backend != .c ? " \(backend.rawValue)" : "") + (weights == .external ? " external" : "")
            + (preprocess != "imagenet" ? " \(preprocess)" : "") + (labels ? " labels" : "") + (batch.map { " batch \($0)" } ?? "")
    }
}

/// Builds every configuration at most once per test process and hands out the binary to every test
/// that needs it: a B0-size build takes ~15 s. Builds are serialized (the machine has few cores).
final class BinaryCache: @unchecked Sendable {
    static let shared = BinaryCache()

    private let lock = NSLock()
    private var graphs: [String: Graph] = [:]
    private var built: [BuildConfig: Result<CompileResult, any Error>] = [:]
    private let folder: URL

    /// Programs go into `kiln-codegen-PID` in the temporary folder; those of test processes that have
    /// ended are removed here (a test run has no teardown hook to do it itself).
    private init() {
        let fm = FileManager.default, tmp = fm.temporaryDirectory
        for name in (try? fm.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("kiln-codegen-") {
            if let pid = Int(name.dropFirst("kiln-codegen-".count)), !fm.fileExists(atPath: "/proc/\(pid)") {
                try? fm.removeItem(at: tmp.appendingPathComponent(name))
            }
        }
        folder = tmp.appendingPathComponent("kiln-codegen-\(ProcessInfo.processInfo.processIdentifier)")
    }

    func binary(_ config: BuildConfig) throws -> CompileResult {
        lock.lock()
        defer { lock.unlock() }
        if let result = built[config] { return try result.get() }
        let result = Result { try build(config) }
        built[config] = result
        return try result.get()
    }

    private func build(_ config: BuildConfig) throws -> CompileResult {
        let graph: Graph
        // Kernels are chosen for the target's instruction set, so the optimized graph depends on it.
        let key = "\(config.model) \(config.target.isa) \(config.batch ?? 1)"
        if let cached = graphs[key] {
            graph = cached
        } else {
            let path = SharedData.root.appendingPathComponent("models/\(config.model)/model.onnx").path
            var loaded = try ONNXImporter.load(path: path, options: ImportOptions(batch: config.batch)).graph
            try Pipeline.run(Pipeline.standard(isa: config.target.isa), on: &loaded)
            graphs[key] = loaded
            graph = loaded
        }
        let dir = folder.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var options = CompileOptions()
        options.target = config.target
        options.compiler = config.compiler
        options.weights = config.weights
        options.preprocess = config.preprocess
        options.backend = config.backend
        if config.labels {
            let text = try String(contentsOf: SharedData.packageRoot.appendingPathComponent("samples/imagenet_classes.txt"), encoding: .utf8)
            options.labels = text.split(separator: "\n").map(String.init)
        }
        let result = try Compiler.compile(graph, output: dir.appendingPathComponent(config.model).path, options: options)
        print("built \(config) in \(String(format: "%.1f", result.seconds)) s")
        return result
    }
}

/// A finished run of a program.
struct ProgramRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast(stderr.hasSuffix("\n") ? 1 : 0) }
}

/// Runs `executable` with `arguments`; output goes through files so neither stream can block the other.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProgramRun {
    let dir = try TemporaryFolder.make()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    return ProgramRun(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
}

/// A float32 .npy file as the runtime reads it: its dims and values.
func readNpy(_ path: String) throws -> (dims: [Int], values: [Float]) {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var tensor = kiln_tensor()
    var err = [CChar](repeating: 0, count: Int(KILN_ERR_LEN))
    let status = data.withUnsafeBytes { raw in
        kiln_npy_decode(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &tensor, &err, err.count)
    }
    defer { kiln_tensor_free(&tensor) }
    guard status == KILN_OK else { throw KilnError(message(err)) }
    let dims = withUnsafeBytes(of: tensor.dims) { Array($0.bindMemory(to: Int64.self).prefix(Int(tensor.rank))).map(Int.init) }
    return (dims, Array(UnsafeBufferPointer(start: tensor.data, count: tensor.count)))
}

/// Writes float32 values as a .npy file with the given dims.
func writeNpy(_ path: String, _ values: [Float], dims: [Int]) throws {
    var err = [CChar](repeating: 0, count: Int(KILN_ERR_LEN))
    let status = kiln_npy_write(path, values, dims.map(Int64.init), Int32(dims.count), &err, err.count)
    guard status == KILN_OK else { throw KilnError(message(err)) }
}

/// Max |y − ref| over max |ref|, and whether the top-1 index agrees.
func compare(_ y: [Float], _ ref: Tensor) -> (relative: Double, sameTop1: Bool) {
    let r = ref.doubles()
    var maxAbs = 0.0, maxRef = 0.0
    for (u, v) in zip(y, r) {
        if !u.isFinite { return (.infinity, false) }
        maxAbs = max(maxAbs, abs(Double(u) - v))
        maxRef = max(maxRef, abs(v))
    }
    let top = y.indices.max { y[$0] < y[$1] } ?? -1
    return (maxRef > 0 ? maxAbs / maxRef : maxAbs, top == argmax(ref))
}

private func message(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
