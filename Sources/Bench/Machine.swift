import Catalog
import Codegen
import Foundation
import IR

/// What the roofline is measured against: this machine's single-core FMA peak for an instruction
/// set and its memory bandwidth (a STREAM-like triad), measured by a small C program built from the
/// runtime's `kiln_machine.c` with the target's flags. Results are cached per CPU model and
/// instruction set in Kiln's cache folder (`$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln`, else `~/.cache/kiln`);
/// `--remeasure` ignores the cache.
public struct Machine: Codable, Sendable, Equatable {
    public var cpu: String
    public var cores: Int
    public var isa: String
    public var peakGFLOPS: Double
    public var bandwidthGBs: Double

    public init(cpu: String, cores: Int, isa: String, peakGFLOPS: Double, bandwidthGBs: Double) {
        self.cpu = cpu
        self.cores = cores
        self.isa = isa
        self.peakGFLOPS = peakGFLOPS
        self.bandwidthGBs = bandwidthGBs
    }

    enum CodingKeys: String, CodingKey {
        case cpu, cores, isa
        case peakGFLOPS = "peak_gflops"
        case bandwidthGBs = "bandwidth_gbs"
    }

    /// The CPU's model name from /proc/cpuinfo.
    public static var cpuModel: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }

    /// Kiln's cache folder, the object cache's (`ObjectCache.defaultDirectory`).
    static var cacheFolder: URL {
        ObjectCache.defaultDirectory().map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("kiln")
    }

    /// The cached measurement for this CPU and `target`, else a new one (then cached).
    public static func measured(target: Target, compiler: String?, remeasure: Bool = false) throws -> (Machine, cached: Bool) {
        let cpu = cpuModel, isa = target.isa.rawValue
        let file = cacheFolder.appendingPathComponent("machine-\(isa).json")
        if !remeasure, let data = try? Data(contentsOf: file), let machine = try? JSONDecoder().decode(Machine.self, from: data),
           machine.cpu == cpu, machine.isa == isa {
            return (machine, true)
        }
        let machine = try measure(target: target, compiler: compiler)
        try? FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true)
        try? JSONEncoder().encode(machine).write(to: file)
        return (machine, false)
    }

    /// Builds and runs the measuring program (about a second).
    public static func measure(target: Target, compiler: String?) throws -> Machine {
        let toolchain = try Toolchain.find(compiler)
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("kiln-machine-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        var sources: [String] = []
        for file in CSources.files {
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            guard file.path.hasSuffix(".h") || name == "kiln_machine.c" || name == "kiln_common.c" else { continue }
            try file.contents.write(to: work.appendingPathComponent(name), atomically: true, encoding: .utf8)
            if name.hasSuffix(".c") { sources.append(name) }
        }
        let binary = work.appendingPathComponent("machine").path
        try toolchain.run([toolchain.compiler, "-std=c11", "-O3", "-DKILN_MACHINE_MAIN", "-I."] + target.flags() + sources
                          + ["-lm", "-o", binary], in: work)
        let run = Process()
        run.executableURL = URL(fileURLWithPath: binary)
        let pipe = Pipe()
        run.standardOutput = pipe
        try run.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        struct Measured: Decodable { var isa: String; var peak_gflops: Double; var bandwidth_gbs: Double }
        guard run.terminationStatus == 0, let m = try? JSONDecoder().decode(Measured.self, from: data) else {
            throw KilnError("the machine measurement failed: \(String(decoding: data, as: UTF8.self))")
        }
        return Machine(cpu: cpuModel, cores: ProcessInfo.processInfo.activeProcessorCount, isa: m.isa,
                       peakGFLOPS: m.peak_gflops, bandwidthGBs: m.bandwidth_gbs)
    }
}
