import Foundation
import IR

/// The runtime's compiled objects, kept between compiles. The runtime's fixed C (kiln_main.c, the thread pool,
/// the profiler, input decoding…) is the same for every model (all but `CSources.perModel`), so its objects depend only
/// on the compiler, the exact command and kiln's embedded sources: `Compiler` takes them from here instead of
/// compiling them again, and puts here the ones it had to compile.
///
/// An entry is `objects/KEY-NAME.o`, KEY the FNV-1a 64 (hex) of the compiler's identity
/// (`Toolchain.identity`), the command that builds the object (compiler, flags, source and object paths) and
/// every embedded C source and header (`CSources.digest`). The file holds the object's bytes, then a
/// 32-byte trailer: a magic, the key, the object's length and its FNV-1a 64. An entry whose trailer does not
/// match is not used (the object is compiled and the entry written again). Entries are written to a temporary
/// file in the same folder and renamed into place, so a concurrent compile sees a whole entry or none.
/// Nothing is ever evicted: an entry is a few KiB, and a new set appears only with a new kiln, compiler or
/// set of flags.
public struct ObjectCache {
    /// `DIRECTORY/objects`.
    let folder: URL

    /// The cache in `directory`, created if missing; a folder that cannot be created is an error saying why.
    init(directory: String) throws {
        folder = URL(fileURLWithPath: directory).appendingPathComponent("objects")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw KilnError("cannot create \(folder.path): \(Compiler.reason(error))")
        }
    }

    /// Where `kiln compile` keeps the cache: `$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln`, else
    /// `$HOME/.cache/kiln`; nil when none is set (then nothing is cached). `XDG_CACHE_HOME` counts only as an
    /// absolute path, as the XDG specification says.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let dir = environment["KILN_CACHE_DIR"], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/kiln" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/kiln" }
        return nil
    }

    /// The key of the object `command` builds with the compiler of `identity`.
    func key(_ command: [String], compiler identity: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(identity)
        hash.combine(UInt64(command.count))
        for argument in command { hash.combine(argument) }
        hash.combine(CSources.digest)
        return hash.value
    }

    private func entry(_ key: UInt64, object: String) -> URL {
        let name = URL(fileURLWithPath: object).deletingPathExtension().lastPathComponent
        return folder.appendingPathComponent(String(format: "%016llx-", key) + name + ".o")
    }

    private static let magic: UInt64 = 0x314A_424F_4E4C_494B // "KILNOBJ1", little-endian
    private static let trailerBytes = 32

    /// The object stored under `key`, or nil when there is none or its trailer does not match its bytes.
    func load(_ key: UInt64, object: String) -> Data? {
        guard let stored = try? Data(contentsOf: entry(key, object: object)), stored.count >= Self.trailerBytes else { return nil }
        let object = stored.prefix(stored.count - Self.trailerBytes)
        return stored.suffix(Self.trailerBytes) == Self.trailer(object, key: key) ? object : nil
    }

    /// Stores `object` under `key`: written whole beside the entry, then renamed over it.
    func store(_ object: Data, key: UInt64, name: String) throws {
        let target = entry(key, object: name)
        let temporary = folder.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try (object + Self.trailer(object, key: key)).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw KilnError("cannot write \(temporary.path): \(Compiler.reason(error))")
        }
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw KilnError("cannot rename \(temporary.path) to \(target.path): \(reason)")
        }
    }

    private static func trailer(_ object: Data, key: UInt64) -> Data {
        var hash = StableHash()
        hash.combine(object)
        var fields = [magic, key, UInt64(object.count), hash.value].map(\.littleEndian)
        return Data(bytes: &fields, count: trailerBytes)
    }
}

extension Toolchain {
    /// Compiles a recipe's objects, all at once as far as the cores go: the model's, and the reusable ones
    /// the cache in `cacheDirectory` does not hold, which then go into it (with no directory, all of them).
    /// Returns how many came from the cache, and why the cache could not be used (a cache that cannot be
    /// created or written is no error: the build is the same without it).
    func compile(_ recipe: BuildRecipe, in build: URL, cacheDirectory: String?) throws -> (cached: Int, note: String?) {
        var opened: (cache: ObjectCache, identity: String)?, note: String?
        if let cacheDirectory, !recipe.reusable.isEmpty {
            do {
                let cache = try ObjectCache(directory: cacheDirectory)
                let native = recipe.reusable.contains { $0.command.contains("-march=native") }
                guard let identity = identity(native: native) else { throw KilnError("\(compiler) --version failed") }
                opened = (cache, identity)
            } catch {
                note = "object cache not used: \((error as? KilnError)?.message ?? "\(error)")"
            }
        }
        guard let (cache, identity) = opened else {
            try runInParallel(recipe.compile + recipe.reusable.map(\.command), in: build)
            return (0, note)
        }
        var cached = 0, missing: [(object: ReusableObject, key: UInt64)] = []
        for object in recipe.reusable {
            let key = cache.key(object.command, compiler: identity)
            if let data = cache.load(key, object: object.object), (try? data.write(to: build.appendingPathComponent(object.object))) != nil {
                cached += 1
            } else {
                missing.append((object, key))
            }
        }
        try runInParallel(recipe.compile + missing.map(\.object.command), in: build)
        for (object, key) in missing {
            do {
                try cache.store(try Data(contentsOf: build.appendingPathComponent(object.object)), key: key, name: object.object)
            } catch {
                note = note ?? "object cache not written: \((error as? KilnError)?.message ?? Compiler.reason(error))"
            }
        }
        return (cached, note)
    }
}

/// FNV-1a, 64 bits: the same value in every process (Swift's `Hasher` is seeded per process), for the object
/// cache's keys and entries. Not cryptographic: a key only tells kiln's own inputs apart, and an entry's hash
/// catches a truncated or damaged file. Strings and counts are combined with their length first, so that
/// ["ab", "c"] and ["a", "bc"] differ.
public struct StableHash {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        value = h
    }

    public mutating func combine(_ data: Data) { data.withUnsafeBytes { combine($0) } }

    public mutating func combine(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { combine($0) }
    }

    public mutating func combine(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            combine(UInt64(bytes.count))
            combine(UnsafeRawBufferPointer(bytes))
        }
    }
}
