import Foundation
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
        guard let executable = command.first else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        do {
            try process.run()
        } catch {
            throw KilnError("cannot run \(executable): \(error.localizedDescription)")
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output, as: UTF8.self)
            let first = text.split(separator: "\n").first { $0.contains("error") } ?? text.split(separator: "\n").first ?? ""
            throw KilnError("the compiler failed (\(executable) exit \(process.terminationStatus)): \(first)")
        }
    }
}

/// The runtime and kernel sources generated programs are built from, as embedded in kiln: C (the
/// runtime, the program files, the C kernels) and Swift (the Swift kernels and program file).
public enum CSources {
    public static var files: [(path: String, contents: String)] { EmbeddedSources.files }

    /// Writes the embedded sources into a build folder: headers to `include/`, the runtime's C
    /// (program files included) to `runtime/`, and with `swift` the Swift kernels and program file
    /// to `swift/`. Returns the paths to compile, relative to the folder.
    static func write(to build: URL, swift: Bool) throws -> (c: [String], swift: [String]) {
        var c: [String] = [], swiftFiles: [String] = []
        for file in files where !file.path.contains("/tests/") {
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            let folder: String
            if file.path.hasSuffix(".h") {
                folder = "include"
            } else if file.path.hasPrefix("Sources/Runtime/"), file.path.hasSuffix(".c") {
                folder = "runtime"
                c.append("runtime/\(name)")
            } else if swift, file.path.hasSuffix(".swift") {
                folder = "swift"
                swiftFiles.append("swift/\(name)")
            } else {
                continue
            }
            try FileManager.default.createDirectory(at: build.appendingPathComponent(folder), withIntermediateDirectories: true)
            try file.contents.write(to: build.appendingPathComponent("\(folder)/\(name)"), atomically: true, encoding: .utf8)
        }
        return (c, swiftFiles.sorted())
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
