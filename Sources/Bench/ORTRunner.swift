import Foundation
import IR

/// onnxruntime, driven through Python in the same interleaved rounds as the compiled programs. A
/// benchmark tool only: Kiln and its binaries never depend on onnxruntime. The Python process stays
/// up for the whole benchmark (one session per model and thread count) and answers one command per
/// line on stdin: `run N` (N timed runs: the median in ms) and `profile N` (N runs of a profiling
/// session: each profiled node's median µs, as JSON).
public final class ORTRunner {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var lines: [String] = []
    private var buffered = Data()

    /// Why onnxruntime cannot run here (no Python, or no onnxruntime/numpy in it), or nil.
    public static func unavailable(python: String) -> String? {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [python, "-c", "import onnxruntime, numpy"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do { try check.run() } catch { return "cannot run \(python): \(error.localizedDescription)" }
        check.waitUntilExit()
        return check.terminationStatus == 0 ? nil : "\(python) cannot import onnxruntime and numpy (pip install onnxruntime numpy)"
    }

    /// Starts a session of `model` fed `npy` (a float32 .npy of its input) on `threads` threads.
    public init(python: String, model: String, npy: String, threads: Int, work: URL) throws {
        let script = work.appendingPathComponent("kiln_ort_runner.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script.path, model, npy, String(threads), work.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw KilnError("cannot start onnxruntime through \(python): \(error.localizedDescription)") }
        guard try readLine() == "ready" else { throw KilnError("onnxruntime could not load \(model)") }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// The median of `runs` timed runs, in ms.
    public func run(_ runs: Int) throws -> Double {
        try send("run \(runs)")
        guard let line = try readLine(), let ms = Double(line) else { throw KilnError("onnxruntime stopped answering") }
        return ms
    }

    /// Each profiled node's median µs over `runs` runs of a profiling session.
    public func profile(_ runs: Int) throws -> [ORTMapping.Entry] {
        try send("profile \(runs)")
        guard let line = try readLine() else { throw KilnError("onnxruntime stopped answering") }
        return try JSONDecoder().decode([ORTMapping.Entry].self, from: Data(line.utf8))
    }

    public func stop() {
        try? send("quit")
        process.waitUntilExit()
    }

    private func send(_ command: String) throws {
        guard process.isRunning else { throw KilnError("onnxruntime has stopped") }
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
    }

    private func readLine() throws -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered = Data(buffered[buffered.index(after: newline)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffered.append(chunk)
        }
    }

    /// The Python side. `profile` names entries as onnxruntime does, without `_kernel_time`.
    static let script = #"""
    import json, statistics, sys, time
    import numpy as np
    import onnxruntime as ort

    model, npy, threads, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    def session(profile):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if profile:
            options.enable_profiling = True
            options.profile_file_prefix = work + "/ort_profile"
        return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    x = np.load(npy)
    plain = session(False)
    feed = {plain.get_inputs()[0].name: x}
    plain.run(None, feed)
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, count = line.strip().partition(" ")
        if command == "run":
            times = []
            for _ in range(int(count)):
                start = time.perf_counter()
                plain.run(None, feed)
                times.append((time.perf_counter() - start) * 1e3)
            print(statistics.median(times), flush=True)
        elif command == "profile":
            profiled = session(True)
            profiled.run(None, feed)
            for _ in range(int(count)):
                profiled.run(None, feed)
            events = json.load(open(profiled.end_profiling()))
            durations, ops = {}, {}
            runs = 0
            for event in events:
                if event.get("cat") == "Session" and event.get("name") == "model_run":
                    runs += 1
                if event.get("cat") != "Node" or not event["name"].endswith("_kernel_time"):
                    continue
                if runs == 0:
                    continue  # the warm-up run
                name = event["name"][: -len("_kernel_time")]
                durations.setdefault(name, []).append(float(event["dur"]))
                ops[name] = event.get("args", {}).get("op_name", "?")
            entries = [{"name": n, "op": ops[n], "microseconds": statistics.median(d)} for n, d in durations.items()]
            print(json.dumps(entries), flush=True)
        elif command == "quit":
            break
    """#
}
