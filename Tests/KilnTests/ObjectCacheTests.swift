import Codegen
import Foundation
import Frontend
import IR
import Optimizer
import Reference
import Testing

/// The object cache (`CompileOptions.cacheDirectory`): a second compile takes the runtime's objects from it and
/// links the same bytes; other flags or targets do not share objects; a damaged entry is compiled again; a cache
/// that cannot be created is no error; the cached files are exactly those that compile without the model.
@Suite(.serialized) struct ObjectCacheTests {
    /// A 3×3 conv and a ReLU (`ModelBuilder.convRelu`), imported once.
    static let model: Graph? = try? ONNXImporter.load(path: ModelBuilder.convRelu().write()).graph

    struct Build {
        var result: CompileResult
        var bytes: Data
    }

    /// Compiles the small model into `folder` with the cache in `cache` (nil: none).
    func compile(in folder: URL, cache: String?, target: Codegen.Target = .avx2, trace: Bool = false,
                 backend: BackendKind = .c) throws -> Build {
        var graph = try #require(Self.model)
        try Pipeline.run(Pipeline.standard(isa: target.isa), on: &graph)
        var options = CompileOptions()
        options.target = target
        options.trace = trace
        options.backend = backend
        options.cacheDirectory = cache
        let binary = folder.appendingPathComponent("model-\(UUID().uuidString)").path
        let result = try Compiler.compile(graph, output: binary, options: options)
        return Build(result: result, bytes: try Data(contentsOf: URL(fileURLWithPath: binary)))
    }

    /// The cache's entries, by file name.
    func entries(_ cache: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("objects").path)) ?? []).sorted()
    }

    /// The program's output matches the interpreter's.
    func expectRunsCorrectly(_ build: Build, in folder: URL) throws {
        let graph = try #require(Self.model)
        let x = Tensor(shape: [1, 2, 5, 5], floats: (0..<50).map { Float($0 % 7) / 3 - 1 })
        let input = folder.appendingPathComponent("x.npy").path, output = folder.appendingPathComponent("y.npy").path
        try writeNpy(input, Array(x.floats), dims: x.shape)
        let run = try runProgram(build.result.binary, [input, "-o", output])
        try #require(run.status == 0, "exit \(run.status): \(run.stderr)")
        let reference = try Interpreter(graph: graph).run([x])
        let (relative, _) = compare(try readNpy(output).values, reference[0])
        #expect(relative <= 1e-6, "relative error \(relative)")
    }

    @Test func secondCompileTakesTheRuntimeFromTheCacheAndLinksTheSameBytes() throws {
        let folder = try TemporaryFolder.make(), cache = folder.appendingPathComponent("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cold = try compile(in: folder, cache: cache.path)
        let stored = entries(cache)
        #expect(cold.result.cachedObjects == 0 && cold.result.notes.isEmpty, "\(cold.result.notes)")
        // The expensive program files are among them: main, the pool and the profiler no longer read model.h.
        for name in ["kiln_main", "kiln_pool", "kiln_profile", "kiln_npy"] {
            #expect(stored.contains { $0.hasSuffix("-\(name).c.o") }, "\(name) not cached: \(stored)")
        }
        #expect(!stored.contains { $0.contains("kiln_model_info") || $0.contains("kiln_weights") }, "\(stored)")

        let warm = try compile(in: folder, cache: cache.path)
        #expect(warm.result.cachedObjects == stored.count)
        #expect(entries(cache) == stored)
        #expect(warm.bytes == cold.bytes, "a warm build differs from a cold one")
        let uncached = try compile(in: folder, cache: nil)
        #expect(uncached.result.cachedObjects == 0)
        #expect(uncached.bytes == cold.bytes, "a build without the cache differs")
        try expectRunsCorrectly(warm, in: folder)
    }

    @Test func otherTargetsAndTraceBuildsDoNotShareObjects() throws {
        let folder = try TemporaryFolder.make(), cache = folder.appendingPathComponent("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try compile(in: folder, cache: cache.path, target: .avx512)
        let count = entries(cache).count
        #expect(first.result.cachedObjects == 0 && count > 0)
        let avx2 = try compile(in: folder, cache: cache.path, target: .avx2)
        #expect(avx2.result.cachedObjects == 0)
        #expect(entries(cache).count == 2 * count)
        let trace = try compile(in: folder, cache: cache.path, target: .avx512, trace: true)
        #expect(trace.result.cachedObjects == 0)
        #expect(entries(cache).count == 3 * count)
        #expect(try compile(in: folder, cache: cache.path, target: .avx2).result.cachedObjects == count)
        #expect(try compile(in: folder, cache: cache.path, target: .avx512, trace: true).result.cachedObjects == count)
    }

    @Test func damagedEntriesAreCompiledAgain() throws {
        let folder = try TemporaryFolder.make(), cache = folder.appendingPathComponent("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cold = try compile(in: folder, cache: cache.path)
        let objects = cache.appendingPathComponent("objects")
        func entry(_ name: String) throws -> URL {
            objects.appendingPathComponent(try #require(entries(cache).first { $0.hasSuffix("-\(name).c.o") }))
        }
        // Truncated; one byte of the object changed; emptied; replaced by another entry's bytes.
        let main = try entry("kiln_main"), pool = try entry("kiln_pool"), npy = try entry("kiln_npy"), ppm = try entry("kiln_ppm")
        try Data(contentsOf: main).prefix(1000).write(to: main)
        var bytes = try Data(contentsOf: pool)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: pool)
        try Data().write(to: npy)
        try Data(contentsOf: try entry("kiln_load")).write(to: ppm)

        let repaired = try compile(in: folder, cache: cache.path)
        #expect(repaired.result.cachedObjects == entries(cache).count - 4)
        #expect(repaired.bytes == cold.bytes, "a build after damaged entries differs from a cold one")
        try expectRunsCorrectly(repaired, in: folder)
        // The entries were written again.
        #expect(try compile(in: folder, cache: cache.path).result.cachedObjects == entries(cache).count)
    }

    @Test func aCacheThatCannotBeCreatedIsNoError() throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file")
        try Data("not a folder".utf8).write(to: file)
        let build = try compile(in: folder, cache: file.appendingPathComponent("cache").path)
        #expect(build.result.cachedObjects == 0)
        #expect(build.result.notes.count == 1 && build.result.notes[0].contains("Not a directory"), "\(build.result.notes)")
        #expect(build.bytes == (try compile(in: folder, cache: nil)).bytes)
        try expectRunsCorrectly(build, in: folder)
    }

    /// A file whose object is cached must not read the generated model: each compiles without model.h in reach
    /// (normal and trace builds), so a runtime change that includes it again fails here, not in a user's binary.
    @Test func cachedRuntimeFilesCompileWithoutTheModel() throws {
        let folder = try TemporaryFolder.make(), cache = folder.appendingPathComponent("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try compile(in: folder, cache: cache.path)
        let cached = entries(cache).map { String($0.drop { $0 != "-" }.dropFirst().dropLast(2)) }
        try #require(!cached.isEmpty)
        let sources = folder.appendingPathComponent("sources")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        for file in CSources.files where file.path.hasSuffix(".h") || cached.contains(URL(fileURLWithPath: file.path).lastPathComponent) {
            try file.contents.write(to: sources.appendingPathComponent(URL(fileURLWithPath: file.path).lastPathComponent),
                                    atomically: true, encoding: .utf8)
        }
        #expect(!FileManager.default.fileExists(atPath: sources.appendingPathComponent("model.h").path))
        let toolchain = try Toolchain.find("gcc")
        for name in cached {
            for trace in [[], ["-DKILN_TRACE"]] {
                do {
                    try toolchain.run([toolchain.compiler, "-std=c11", "-fsyntax-only", "-Wall", "-Werror", "-mavx2", "-mfma",
                                       "-DKILN_TARGET_AVX2", "-I."] + trace + [name], in: sources)
                } catch {
                    Issue.record("\(name) \(trace) does not compile without the model: \(error)")
                }
            }
        }
    }

    @Test(.enabled(if: SwiftBackendTests.hasSwift)) func swiftProgramsShareTheCacheToo() throws {
        let folder = try TemporaryFolder.make(), cache = folder.appendingPathComponent("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cold = try compile(in: folder, cache: cache.path, backend: .swift)
        let warm = try compile(in: folder, cache: cache.path, backend: .swift)
        #expect(cold.result.cachedObjects == 0)
        #expect(warm.result.cachedObjects == entries(cache).count && warm.result.cachedObjects > 0)
        #expect(warm.bytes == cold.bytes, "a warm Swift build differs from a cold one")
        try expectRunsCorrectly(warm, in: folder)
    }

    /// `kiln compile` caches in `$KILN_CACHE_DIR`, and `--no-cache` leaves it alone.
    @Test func theCommandLineCachesUnlessToldNot() throws {
        guard let kiln = CLITests.kiln else { return }
        let folder = try TemporaryFolder.make(), cache = folder.appendingPathComponent("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try ModelBuilder.convRelu().write(in: folder)
        let environment = ["KILN_CACHE_DIR": cache.path]
        let off = try runProgram(kiln.path, ["compile", model, "-o", folder.appendingPathComponent("a").path, "--no-cache"],
                                 environment: environment)
        #expect(off.status == 0, "\(off.stderr)")
        #expect(entries(cache).isEmpty)
        let on = try runProgram(kiln.path, ["compile", model, "-o", folder.appendingPathComponent("b").path], environment: environment)
        #expect(on.status == 0, "\(on.stderr)")
        #expect(!entries(cache).isEmpty)
        #expect(try Data(contentsOf: folder.appendingPathComponent("a")) == Data(contentsOf: folder.appendingPathComponent("b")))
    }

    @Test func cacheFolderFromTheEnvironment() {
        #expect(ObjectCache.defaultDirectory(environment: ["KILN_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/c")
        #expect(ObjectCache.defaultDirectory(environment: ["KILN_CACHE_DIR": "", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/kiln")
        #expect(ObjectCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/kiln")
        #expect(ObjectCache.defaultDirectory(environment: [:]) == nil)
    }

    /// FNV-1a 64's published test vectors: the keys are the same in every process and on every machine.
    @Test func stableHashIsFNV1a() {
        for (text, expected) in [("", 0xcbf2_9ce4_8422_2325 as UInt64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)] {
            var hash = StableHash()
            hash.combine(Data(text.utf8))
            #expect(hash.value == expected, "\(text)")
        }
    }
}
