import Foundation
import Synchronization
import IR

/// The C compiler Kiln drives to build generated programs.
public struct Toolchain: Sendable {
    /// Path of the compiler executable.
    public var compiler: String

    /// `cc` as given (a path or a name looked up on PATH), or the first of cc, gcc, clang found.
    public static func find(_ requested: String?) throws -> Toolchain {
        let candidates = requested.map { [$0] } ?? ["cc", "gcc", "clang"]
        for name in candidates {
            if let path = lookUp(name) { return Toolchain(compiler: path) }
        }
        throw KilnError(requested.map { "C compiler '\($0)' not found" } ?? "no C compiler found (tried cc, gcc, clang); install gcc or pass --cc")
    }

    /// The Swift compiler for `--backend swift`: `swiftc` from PATH, else beside the Swift toolchain
    /// that kiln was installed with (`/opt/swift/usr/bin`), and only one that has the Embedded Swift
    /// standard library (`lib/swift/embedded` beside `bin`).
    public static func findSwift() throws -> String {
        let candidates = [lookUp("swiftc"), "/opt/swift/usr/bin/swiftc", "/usr/bin/swiftc"].compactMap { $0 }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath()
            let embedded = real.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lib/swift/embedded")
            if FileManager.default.fileExists(atPath: embedded.path) { return path }
        }
        throw KilnError("--backend swift needs swiftc with the Embedded Swift standard library (lib/swift/embedded); none found on PATH or in /opt/swift/usr/bin")
    }

    static func lookUp(_ name: String) -> String? {
        let fm = FileManager.default
        if name.contains("/") { return fm.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    /// Runs several commands, as many at once as there are cores; the first failure is reported.
    public func runInParallel(_ jobs: [[String]], in directory: URL) throws {
        let failures = FailureBox()
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            do {
                try run(jobs[index], in: directory)
            } catch {
                failures.record(error)
            }
        }
        if let error = failures.first { throw error }
    }

    /// Runs `command` (an executable, then its arguments) in `directory`; a failure carries the
    /// program's own message.
    public func run(_ command: [String], in directory: URL) throws {
        _ = try output(of: command, in: directory)
    }

    /// What makes this compiler's objects what they are, for the object cache: the path it resolves to (through
    /// /etc/alternatives), that file's size and modification time, and what `--version` prints (GCC: the version
    /// with the distribution's revision, `cc (Debian 12.2.0-14+deb12u1) 12.2.0`; clang adds its target). With
    /// `native`, for flags with `-march=native`, also the macros the compiler defines for this CPU
    /// (`-march=native -dM -E`), so that a cache shared by two machines (an NFS home) never gives one the other's
    /// instructions. A compiler that cannot say is nil: then nothing is cached. A few milliseconds.
    func identity(native: Bool) -> String? {
        let resolved = URL(fileURLWithPath: compiler).resolvingSymlinksInPath().path
        let scratch = FileManager.default.temporaryDirectory
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved),
              let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date,
              let version = try? output(of: [compiler, "--version"], in: scratch)
        else { return nil }
        var identity = "\(resolved)\n\(size) \(modified.timeIntervalSince1970)\n" + String(decoding: version, as: UTF8.self)
        if native {
            guard let macros = try? output(of: [compiler, "-march=native", "-dM", "-E", "-x", "c", "/dev/null"], in: scratch) else { return nil }
            identity += String(decoding: macros, as: UTF8.self)
        }
        return identity
    }

    /// Runs `command` in `directory` and returns what it printed (stdout and stderr together).
    private func output(of command: [String], in directory: URL) throws -> Data {
        guard let executable = command.first else { return Data() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        let output = try ChildProcesses.run(process, cannotRun: { KilnError("cannot run \(executable): \($0.localizedDescription)") }) {
            errors.fileHandleForReading.readDataToEndOfFile()
        }
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output, as: UTF8.self)
            let first = text.split(separator: "\n").first { $0.contains("error") } ?? text.split(separator: "\n").first ?? ""
            throw KilnError("the compiler failed (\(executable) exit \(process.terminationStatus)): \(first)")
        }
        return output
    }
}

/// The compiler processes (and the compiled programs `kiln verify` runs) running now, so that an interrupted
/// `kiln compile` or `kiln verify` can stop them before it removes the folder they write in: a signal sent to kiln
/// alone does not reach them, and they would write on into the folder being removed. Foundation starts each child in
/// a process group of its own, whose id is the child's pid; the group holds the compiler driver and the programs it
/// runs (cc1, as, ld), which write the temporaries.
public enum ChildProcesses {
    private struct State {
        var running: [Int: Int32] = [:]  // launch number → pid (a number, not the pid, so a reused pid is no clash)
        var next = 0
        var stopping: Int32?  // the signal, once stop began: no child starts after that
    }
    private static let state = Mutex(State())

    /// Starts `process` (not once stopping began: then "interrupted"; a failure to start is `cannotRun`'s error), runs
    /// `body` (which reads the child's output) and waits for the child, which is registered all that time.
    public static func run<T>(_ process: Process, cannotRun: (Error) -> KilnError, _ body: () -> T) throws -> T {
        guard !state.withLock({ $0.stopping != nil }) else { throw KilnError("interrupted") }
        do {
            try process.run()
        } catch {
            throw cannotRun(error)
        }
        let launch = started(process.processIdentifier)
        defer { state.withLock { _ = $0.running.removeValue(forKey: launch) } }
        let result = body()
        process.waitUntilExit()
        return result
    }

    /// Registers a child that just started. One that started after stopping began is sent the signal at once, and is
    /// registered all the same, so that `stop` waits for it (and a SIGKILL that follows reaches it too).
    private static func started(_ pid: Int32) -> Int {
        let (launch, signal): (Int, Int32?) = state.withLock { s in
            s.next += 1
            s.running[s.next] = pid
            return (s.next, s.stopping)
        }
        if let signal, pid > 0 { kill(-pid, signal) }
        return launch
    }

    /// Sends `signal` to every running child's process group, keeps any child from starting after it, and waits
    /// until each has been seen to end (its `waitUntilExit` returned), for at most `seconds` in all. Returns whether
    /// all did.
    @discardableResult
    public static func stop(with signal: Int32, waiting seconds: Double) -> Bool {
        let pids = state.withLock { s -> [Int32] in
            s.stopping = signal
            return Array(s.running.values)
        }
        for pid in pids where pid > 0 { kill(-pid, signal) }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if state.withLock({ $0.running.isEmpty }) { return true }
            usleep(10_000)
        }
        return state.withLock { $0.running.isEmpty }
    }
}

/// The runtime and kernel sources generated programs are built from, as embedded in kiln: C (the
/// runtime, the program files, the C kernels) and Swift (the Swift kernels and program file).
public enum CSources {
    public static var files: [(path: String, contents: String)] { EmbeddedSources.files }

    /// The runtime's C files compiled with each model, because they include the generated model.h:
    /// kiln_model_info.c (model.h's facts as data), kiln_weights.c (whether to map a weights file, and its size)
    /// and the Swift backend's kiln_swift_glue.c (the static arena, sized by the plan). Each compiles in about
    /// 10 ms. Every other runtime file reads the model through kiln_model_info.h, so its object is the same for
    /// every model and `ObjectCache` keeps it.
    static let perModel: Set<String> = ["kiln_model_info.c", "kiln_weights.c", "kiln_swift_glue.c"]

    /// FNV-1a 64 of every embedded C source and header (paths and contents): what the runtime's objects are
    /// built from besides the compiler and its flags (part of `ObjectCache`'s keys).
    static let digest: UInt64 = {
        var hash = StableHash()
        for file in files where file.path.hasSuffix(".c") || file.path.hasSuffix(".h") {
            hash.combine(file.path)
            hash.combine(file.contents)
        }
        return hash.value
    }()

    /// What `write` put into a build folder, as paths relative to it.
    struct Written {
        /// The runtime's C files, in a fixed order.
        var c: [String]
        /// Those of `c` that are the same for every model (not `perModel`).
        var reusable: Set<String>
        var swift: [String]
    }

    /// Writes the embedded sources into a build folder: headers to `include/`, the runtime's C
    /// (program files included; kiln_swift_glue.c only with `swift`) to `runtime/`, and with `swift` the
    /// Swift kernels and program file to `swift/`.
    static func write(to build: URL, swift: Bool) throws -> Written {
        var written = Written(c: [], reusable: [], swift: [])
        for file in files where !file.path.contains("/tests/") {
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            let folder: String
            if file.path.hasSuffix(".h") {
                folder = "include"
            } else if file.path.hasPrefix("Sources/Runtime/"), file.path.hasSuffix(".c"), swift || name != "kiln_swift_glue.c" {
                folder = "runtime"
                written.c.append("runtime/\(name)")
                if !perModel.contains(name) { written.reusable.insert("runtime/\(name)") }
            } else if swift, file.path.hasSuffix(".swift") {
                folder = "swift"
                written.swift.append("swift/\(name)")
            } else {
                continue
            }
            try Compiler.makeFolder(build.appendingPathComponent(folder))
            try file.contents.write(to: build.appendingPathComponent("\(folder)/\(name)"), atomically: true, encoding: .utf8)
        }
        written.swift.sort()
        return written
    }
}

/// The first error of parallel jobs.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []

    func record(_ error: Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }

    var first: Error? {
        lock.lock()
        defer { lock.unlock() }
        return errors.first
    }
}
